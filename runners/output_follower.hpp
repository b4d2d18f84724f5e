#pragma once
// Follows a file that a trial (or a Slurm job) appends its stdout to, from a byte offset, and
// turns what is new into lines. Passive: it reads when told to (the local runner on an
// inotify event and when the run's processes are gone; a Slurm runner on each poll), so it
// works on any filesystem, NFS included.
//
// Why a file and not a pipe: a line the trial wrote is on disk even if rungs is SIGKILLed
// before reading it. The caller records the `end` offset of the last line it has handled
// (LineSplitter's contract); after a crash, following again from there (LaunchSpec::
// stdout_offset) delivers exactly the lines it had not handled.
//
// Reads use pread at the follower's own offset: the file's shared offset is never used, so
// the same descriptor may be the writer's.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "runners/line_splitter.hpp"
#include "runners/unique_fd.hpp"

namespace rungs::runners {

class OutputFollower {
 public:
  // Follows `fd` (readable) from `start`. Lines as LineSplitter delivers them.
  OutputFollower(UniqueFd fd, std::uint64_t start, std::size_t max_line_bytes);

  // Bytes one call reads by default: about 950 report lines of 70 bytes, 10 ms of the campaign
  // loop's work at 11 us a line. Every other run's timers wait for one such turn, so it bounds
  // how late a flood makes them (256 KiB made it 40 ms of work, 80-150 ms late at load 4).
  static constexpr std::size_t kTurnBudget = 64 * 1024;

  enum class Progress {
    UpToDate,  // read everything there was
    More,      // stopped after `budget` bytes: call again (lets an event loop breathe)
    Stopped,   // the callback returned false
  };
  // Reads what was appended since the last call (at most `budget` bytes) and delivers the
  // complete lines in it. on_line(std::string_view line, std::uint64_t end) -> bool.
  template <class OnLine>
  Progress read_some(OnLine&& on_line, std::size_t budget = kTurnBudget) {
    std::size_t total = 0;
    while (total < budget) {
      const long n = read_chunk();
      if (n <= 0) {
        return Progress::UpToDate;  // end of file for now (or an error: nothing to read)
      }
      total += static_cast<std::size_t>(n);
      if (!splitter_.feed(std::string_view(buffer_.data(), static_cast<std::size_t>(n)), on_line)) {
        return Progress::Stopped;
      }
    }
    return Progress::More;
  }
  // Once no writer is left (read_some() returned UpToDate after that): a last line without a
  // newline, if any. Returns what the callback returned (true if nothing was delivered).
  template <class OnLine>
  bool finish(OnLine&& on_line) {
    return splitter_.finish(on_line);
  }

  // The offset up to which the file has been read.
  std::uint64_t offset() const { return splitter_.offset(); }
  int fd() const { return fd_.get(); }

 private:
  long read_chunk();  // pread at offset(); bytes read, 0 at the end, -1 on error

  UniqueFd fd_;
  LineSplitter splitter_;
  std::vector<char> buffer_;
};

}  // namespace rungs::runners
