#pragma once
// What `rungs run` says when trials fail: the first failed run of each distinct cause, with
// the last lines of its trial's stderr.log and the file's path, so that a campaign whose
// trials all fail for one reason (a relative path that did not resolve, a missing module)
// says that reason once instead of "failed 20" and a log to go and find.
//
//   trial 3 (run 3) failed: exited with code 2
//     last lines of /home/me/runs/c/trials/0003/stderr.log:
//       python3: can't open file '/home/me/train.py': [Errno 2] No such file or directory
//
// Two failures have the same cause when their failure text and the last line of their
// stderr agree once digits are set aside (trial numbers, paths with them, addresses). After
// kMaxCauses distinct causes it says once that the rest are in warnings.log. What a trial
// printed is escaped (text/safe_text.hpp): its control sequences are shown, not obeyed.
// Called by campaign/commands.cpp through LoopOptions::on_run_failed, on the loop's thread.
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "campaign/campaign_loop.hpp"

namespace rungs::campaign {

class FailureNotes {
 public:
  static constexpr std::size_t kMaxCauses = 5;
  static constexpr std::size_t kTailLines = 5;

  // `out` null: says nothing. `warnings_log` is named when the causes run out.
  FailureNotes(std::FILE* out, std::filesystem::path warnings_log);

  void note(const RunFailure& failure);

 private:
  std::FILE* out_;
  std::filesystem::path warnings_log_;
  std::set<std::string> causes_;
  bool said_more_ = false;
};

// The last `count` lines of `file` (read from its last 16 KiB at most), without empty ones,
// each escaped for a terminal and cut at 300 bytes; empty when the file is missing or empty.
std::vector<std::string> tail_lines(const std::filesystem::path& file, std::size_t count);

}  // namespace rungs::campaign
