#pragma once
// Tells the event loop when files are written: one inotify instance for all the runs of a
// LocalRunner (IN_MODIFY per watched file), so that a run's output file is read as soon as
// the trial writes a line, with no polling. inotify merges repeated events while they are
// unread, so a trial that floods its output costs a few wakeups, not one per line.
//
// Contract: add() and remove() from the event loop's thread; callbacks run there too, maybe
// late (after remove(), never: they are looked up at delivery). add() returns 0 when inotify
// cannot watch the file (no inotify, out of watches): the caller must poll instead. Files
// watched by several handles (the same inode) each get their callback. While nothing is
// watched, no operation is pending on the event loop (run() can return).
#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include <boost/asio/io_context.hpp>

namespace rungs::runners {

class FileWatch {
 public:
  using Handle = std::uint64_t;

  explicit FileWatch(boost::asio::io_context& io);
  ~FileWatch();
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Watches the file open as `fd` (also an unlinked one). 0: not watched, poll instead.
  Handle add(int fd, std::function<void()> on_change);
  void remove(Handle handle);

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the pending read: it may complete after us
};

}  // namespace rungs::runners
