#pragma once
// The live progress line: on a terminal it redraws one line in place; otherwise (CI logs,
// pipes) it prints a plain line at most every few seconds and when the campaign ends.
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>

namespace rungs::campaign {

struct ProgressSnapshot {
  std::chrono::steady_clock::duration elapsed{};
  std::size_t running = 0;
  std::size_t completed = 0;  // reached the largest budget of their bracket
  std::size_t stopped = 0;    // stopped early (not promoted)
  std::size_t failed = 0;
  double budget_used = 0;     // in scheduler budget units
  std::string metric;
  std::optional<double> best;       // in the metric's own direction
  std::optional<unsigned long long> best_trial;
};

std::string format_progress(const ProgressSnapshot& snapshot);

class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* out);
  void update(const ProgressSnapshot& snapshot);
  void finish(const ProgressSnapshot& snapshot);

 private:
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point last_plain_{};
};

}  // namespace rungs::campaign
