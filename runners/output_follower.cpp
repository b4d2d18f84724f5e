#include "runners/output_follower.hpp"

#include <unistd.h>

#include <cerrno>

namespace rungs::runners {

OutputFollower::OutputFollower(UniqueFd fd, std::uint64_t start, std::size_t max_line_bytes)
    : fd_(std::move(fd)), splitter_(max_line_bytes, start), buffer_(64 * 1024) {}

long OutputFollower::read_chunk() {
  for (;;) {
    const ssize_t n = ::pread(fd_.get(), buffer_.data(), buffer_.size(), static_cast<off_t>(offset()));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return static_cast<long>(n);
  }
}

}  // namespace rungs::runners
