#pragma once
// An owned file descriptor, and the one rule the runner needs about descriptor numbers.
// Used by the code that prepares a child's descriptors (child_setup, local_runner) and by the
// output follower. Nothing here is specific to trials.
#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace rungs::runners {

// Closes its descriptor when it goes away; move-only.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// A child's dup2 onto 0/1/2 must not clobber a source descriptor: keeps ours at >= 3
// (only matters when rungs itself runs with a standard descriptor closed). The copy is
// close-on-exec; a failed copy gives an invalid UniqueFd (errno set).
inline UniqueFd above_stdio(UniqueFd fd) {
  if (fd.get() < 0 || fd.get() > 2) {
    return fd;
  }
  return UniqueFd(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
}

}  // namespace rungs::runners
