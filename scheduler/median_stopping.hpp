#pragma once
// The median stopping rule (Golovin, Solnik, Moitra, Kochanski, Karro, Sculley, "Google Vizier:
// A Service for Black-Box Optimization", KDD 2017, Section 3.2.2), for minimized values:
//
//   stop trial x at step t  iff  best_x(t) > median_{u != x} avg_u(t)
//
//   best_x(t) = min { y_x(s) : s <= t }            its best value so far
//   avg_u(t)  = mean { y_u(s) : s <= t }           trial u's RUNNING AVERAGE up to step t
//
// over the other trials u that have reported at some step >= t (so that avg_u(t) covers the
// same stretch of training), as Vizier does with running averages. The median of an even
// count is the mean of the middle two. Strictly worse: a tie continues.
//
// Which "other trials": Vizier takes completed trials; we take every other trial that has
// reached step t, running, stopped or completed (Ray Tune's MedianStoppingRule does the same).
// With asynchronous schedulers few trials complete early on, and a rule that waits for
// completions would not stop anything while it matters most.
//
// Settings: no decision at steps < grace_period, nor while fewer than min_samples other trials
// have reached the step. There is no mode: values are already minimized (the campaign negates
// maximized metrics).
//
// NaN, +inf and -inf reports count as the worst value, +inf: a trial whose reports are all
// non-finite has best +inf and is stopped once the median is finite; a non-finite report
// makes a running average +inf. (-inf is garbage, as in promotion.hpp, not a perfect loss.)
#include <cstddef>
#include <map>
#include <optional>
#include <unordered_map>

#include "scheduler/stopping_rule.hpp"

namespace rungs::scheduler {

struct MedianStoppingOptions {
  double grace_period = 0;      // steps before any decision (decide only at step >= grace_period)
  std::size_t min_samples = 3;  // other trials that must have reached the step (>= 1)
};

class MedianStoppingRule : public StoppingRule {
 public:
  // Throws std::invalid_argument for min_samples == 0 or a grace period < 0 or not finite.
  explicit MedianStoppingRule(MedianStoppingOptions options = {});

  Decision on_report(TrialId trial, const Report& report) override;

  const MedianStoppingOptions& options() const { return options_; }
  // best_x(t); nullopt when the trial has no report at a step <= t.
  std::optional<double> best_so_far(TrialId trial, double step) const;
  // avg_u(t); nullopt when the trial has not reached step t.
  std::optional<double> running_average(TrialId trial, double step) const;
  // The median of avg_u(t) over the trials u != except that reached t, and how many there are.
  struct Median {
    double value = 0;
    std::size_t samples = 0;
  };
  std::optional<Median> median_at(double step, TrialId except) const;

 private:
  MedianStoppingOptions options_;
  std::unordered_map<TrialId, std::map<double, double>> curves_;  // step -> value (non-finite -> +inf)
};

}  // namespace rungs::scheduler
