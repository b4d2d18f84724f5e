#include "runners/file_watch.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>

#include <boost/asio/posix/stream_descriptor.hpp>

namespace rungs::runners {

namespace asio = boost::asio;

struct FileWatch::State : std::enable_shared_from_this<State> {
  explicit State(asio::io_context& io) : inotify(io) {}

  asio::posix::stream_descriptor inotify;
  bool reading = false;
  Handle next = 1;
  std::map<int, std::map<Handle, std::function<void()>>> by_watch;  // wd -> callbacks
  std::map<Handle, int> watches;                                     // handle -> wd
  std::array<char, 16 * 1024> buffer{};

  // A read is pending only while something is watched: an idle runner must leave its event
  // loop without work (io_context::run() returns when a campaign is over).
  void read() {
    if (reading || !inotify.is_open() || watches.empty()) {
      return;
    }
    reading = true;
    inotify.async_read_some(asio::buffer(buffer), [self = shared_from_this()](
                                                      const boost::system::error_code& ec, std::size_t n) {
      self->reading = false;
      if (ec == asio::error::operation_aborted) {
        self->read();  // cancelled when the last watch went: again if one came since
        return;
      }
      if (ec) {
        return;  // broken: runs fall back to their end read
      }
      self->dispatch(n);
      self->read();
    });
  }

  void dispatch(std::size_t n) {
    // Each watch's callbacks once per batch, however many events it had in it.
    std::map<int, bool> changed;
    for (std::size_t at = 0; at + sizeof(inotify_event) <= n;) {
      inotify_event event{};
      std::memcpy(&event, buffer.data() + at, sizeof event);
      changed[event.wd] = true;
      at += sizeof(inotify_event) + event.len;
    }
    for (const auto& [wd, ignored] : changed) {
      const auto found = by_watch.find(wd);
      if (found == by_watch.end()) {
        continue;
      }
      std::vector<std::function<void()>> calls;  // a callback may add or remove watches
      for (const auto& [handle, call] : found->second) {
        calls.push_back(call);
      }
      for (const auto& call : calls) {
        call();
      }
    }
  }
};

FileWatch::FileWatch(asio::io_context& io) : state_(std::make_shared<State>(io)) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd >= 0) {
    state_->inotify.assign(fd);
  }
}

FileWatch::~FileWatch() {
  boost::system::error_code ignored;
  state_->inotify.close(ignored);
  state_->by_watch.clear();
}

FileWatch::Handle FileWatch::add(int fd, std::function<void()> on_change) {
  if (!state_->inotify.is_open()) {
    return 0;
  }
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  const int wd = ::inotify_add_watch(state_->inotify.native_handle(), path, IN_MODIFY);
  if (wd < 0) {
    return 0;
  }
  const Handle handle = state_->next++;
  state_->by_watch[wd][handle] = std::move(on_change);
  state_->watches[handle] = wd;
  state_->read();
  return handle;
}

void FileWatch::remove(Handle handle) {
  const auto found = state_->watches.find(handle);
  if (found == state_->watches.end()) {
    return;
  }
  const int wd = found->second;
  state_->watches.erase(found);
  auto& callbacks = state_->by_watch[wd];
  callbacks.erase(handle);
  if (callbacks.empty()) {
    state_->by_watch.erase(wd);
    ::inotify_rm_watch(state_->inotify.native_handle(), wd);
  }
  if (state_->watches.empty() && state_->reading) {
    boost::system::error_code ignored;
    state_->inotify.cancel(ignored);  // the pending read completes with operation_aborted
  }
}

}  // namespace rungs::runners
