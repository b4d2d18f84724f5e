#pragma once
// The live progress line: on a terminal it redraws one line in place; otherwise (CI logs,
// pipes) it prints a plain line at most every few seconds and when the campaign ends.
//
//   [03:12] running 2 | waiting 5 | completed 1 | stopped early 14 | failed 0 | done 15/40 trials | budget 61.5 | left ~7m | best val_loss 0.0712 (trial 9)
//
// "waiting": trials between rungs (a Hyperband rung not yet full, ASHA trials paused until a
// promotion, kept paused processes). "done N/M trials": settled trials (completed, stopped,
// failed) of the campaign's trial limit, when it has one (campaign_limits.hpp). "left": the
// campaign time still to go, estimated by estimate_seconds_left() below; "?" until it can be.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>

namespace rungs::campaign {

struct ProgressSnapshot {
  std::chrono::steady_clock::duration elapsed{};  // campaign time (virtual in a simulation)
  std::size_t running = 0;
  std::size_t waiting = 0;    // between rungs: paused, or waiting for a promotion decision
  std::size_t completed = 0;  // reached the largest budget of their bracket
  std::size_t stopped = 0;    // stopped early (not promoted)
  std::size_t failed = 0;
  std::optional<std::size_t> trial_limit;  // new configurations the campaign starts in all
  double budget_used = 0;     // charged at launch, in budget units (fidelity/run_cost.hpp)
  // What the estimate reads: the charge of the runs that ended, the scheduler units they ran
  // (the increment of a promotion), and the totals the campaign's settings plan.
  double budget_done = 0;
  double units_done = 0;
  std::optional<double> budget_planned;
  std::optional<double> units_limit;
  std::optional<double> cost_limit;  // limits.cost: budget_used counts against it
  std::optional<double> wall_limit;  // limits.wall: campaign seconds
  std::string metric;
  std::optional<double> best;       // in the metric's own direction
  std::optional<unsigned long long> best_trial;
  bool finished = false;  // the campaign has ended: no estimate is shown

  std::size_t trials_done() const { return completed + stopped + failed; }
};

// The fraction of the campaign's work done, in [0, 1], from the runs that ended: the budget
// they were charged over the planned budget (Hyperband, successive halving); otherwise the
// larger of units run over max_units and settled trials over max_trials (ASHA: whichever
// limit ends it first); with `limits:`, also the charge over limits.cost and the elapsed time
// over limits.wall (the larger of all). None without any total to measure against.
std::optional<double> fraction_done(const ProgressSnapshot& snapshot);

// Campaign seconds left at the rate so far: elapsed x (1 - f) / f for f = fraction_done().
// None ("?") while nothing measurable has ended, or without a total. Early on the runs out
// weigh more than the ones ended, and runs stopped early or failed end the campaign sooner
// than planned: an estimate that settles as the campaign goes on.
std::optional<double> estimate_seconds_left(const ProgressSnapshot& snapshot);

// "45s", "12m", "1h05m", "2.3 days"; "?" for none.
std::string format_time_left(std::optional<double> seconds);

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
