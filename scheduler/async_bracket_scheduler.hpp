#pragma once
// A Scheduler over one or more asynchronous successive-halving brackets (asha_bracket.hpp): the
// common machinery of Asha and AsyncHyperband (asha.hpp), which only choose the brackets.
//
// next(), when a worker is free:
//  1. promotion mode: the promotion at the highest rung level over all brackets (ties: the
//     earliest bracket), as ASHA scans its rungs top-down;
//  2. otherwise a new configuration, if the limits allow (below), in the bracket that is
//     furthest behind its share: argmin_b started_b / share_b (ties: the earliest bracket).
//     With shares n_b this is a deterministic weighted round robin: after sum_b n_b starts,
//     bracket b has started exactly n_b (a bracket is picked at ratio started_b/n_b < 1 only);
//  3. otherwise nullopt.
// ASHA never waits for a rung to fill: with N workers and one straggler, next() keeps handing
// out work as long as new configurations may start (Li et al., MLSys 2020, Section 3.3).
//
// Limits (at least one is required), checked only when a NEW configuration would start:
//  - max_trials: new configurations in total;
//  - max_units: new configurations start while units_used() < max_units. Runs already out and
//    promotions of started trials are not limited, so the total may overshoot by those.
// units_used(): promotion mode, the sum of Job::budget.units handed out (a promoted run counts
// its whole budget, as BracketScheduler::units_handed_out); stopping mode, per trial the units
// of the highest rung it reached (at least its first rung; the top one once Completed), since
// its Job's budget is always the top one however early it is stopped.
//
// finished() once no new configuration may start, no run is out and nothing is promotable;
// at that moment every trial still paused at a rung becomes Stopped. Contract violations
// throw like BracketScheduler: unknown id -> std::out_of_range; on_report / on_run_end for a
// trial with no run out -> std::logic_error. Trial ids are 1, 2, 3, ... in hand-out order.
#include <cstddef>
#include <memory>
#include <optional>
#include <vector>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/asha_bracket.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/trial_table.hpp"

namespace rungs::scheduler {

struct AsyncLimits {
  std::optional<std::size_t> max_trials;  // new configurations to start (>= 1)
  std::optional<double> max_units;        // start new ones while units_used() < max_units (> 0)
  // The caller stops handing out work itself (a campaign's limits: cost, wall): neither limit
  // above is then required, and without them new configurations start for as long as asked.
  bool limited_outside = false;
};

// One bracket to run: rung 0 at `first_level`, new configurations in proportion to `share`.
struct AsyncBracketSpec {
  std::size_t first_level = 0;
  std::size_t share = 1;
};

class AsyncBracketScheduler : public Scheduler {
 public:
  // Throws std::invalid_argument for a null optimizer, no brackets, a zero share, a first
  // level beyond the ladder, no limit at all, max_trials == 0, or max_units not > 0.
  AsyncBracketScheduler(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
                        AshaMode mode, std::vector<AsyncBracketSpec> brackets, AsyncLimits limits);

  std::optional<Job> next() override;
  Decision on_report(TrialId trial, const Report& report) override;
  void on_run_end(TrialId trial, const RunEnd& end) override;
  bool finished() const override { return finished_; }
  TrialState state(TrialId trial) const override { return trials_.at(trial).state; }

  // Read-only views for status and progress.
  AshaMode mode() const { return mode_; }
  const TrialInfo& trial(TrialId id) const { return trials_.at(id); }
  const std::vector<TrialInfo>& trials() const { return trials_.all(); }
  std::size_t count(TrialState state) const { return trials_.count(state); }
  std::vector<AshaBracketStatus> brackets() const;
  const AshaBracket& bracket(std::size_t b) const { return brackets_.at(b); }
  std::size_t started() const { return trials_.size(); }
  std::size_t running() const;
  std::size_t runs_handed_out() const { return runs_handed_out_; }
  double units_handed_out() const { return units_handed_out_; }
  double units_used() const;
  const AsyncLimits& limits() const { return limits_; }
  // A grown campaign (campaign/campaign_growth.hpp): larger limits from now on. A finished
  // scheduler goes on: the trials stop_waiting() had stopped at a rung wait again (they may be
  // promoted). Throws std::invalid_argument for a limit smaller than the current one.
  void raise_limits(AsyncLimits limits);
  const fidelity::BudgetLadder& ladder() const { return ladder_; }
  optimizers::Optimizer& optimizer() { return *optimizer_; }

 private:
  BracketContext context() { return BracketContext{*optimizer_, ladder_, trials_}; }
  AshaBracket& bracket_of(TrialId trial);
  bool may_start() const;
  std::optional<std::size_t> promoting_bracket() const;
  std::size_t bracket_behind_share() const;
  Job account(Job job);
  void finish_if_done();

  std::unique_ptr<optimizers::Optimizer> optimizer_;
  fidelity::BudgetLadder ladder_;
  AshaMode mode_;
  AsyncLimits limits_;
  std::vector<AshaBracket> brackets_;
  std::vector<std::size_t> shares_;
  TrialTable trials_;
  std::size_t runs_handed_out_ = 0;
  double units_handed_out_ = 0;
  bool finished_ = false;
  std::vector<TrialId> stopped_waiting_;  // the trials finishing stopped at a rung
};

}  // namespace rungs::scheduler
