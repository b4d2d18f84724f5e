#pragma once
// One synchronous successive-halving bracket: the bookkeeping of HpBandSter's BaseIteration,
// with the "who advances" decision delegated to a PromotionRule (template method).
//
// Stage i of the plan (Li et al., JMLR 2018, Alg. 1, inner loop):
//  1. hands out its n_i runs: at stage 0, new trials whose configuration comes from
//     optimizer.suggest(budget of the stage's level); at stage i > 0, the trials promoted from
//     stage i-1, best first, with resume_from = the budget of the rung they finished;
//  2. waits until every run of the stage has ended (synchronous: next() hands out nothing
//     from this bracket meanwhile);
//  3. at the last stage, that is all: the bracket is finished. Otherwise the rule picks at
//     most n_{i+1} promotable trials; the others become Stopped. If nobody is promotable the
//     bracket ends here; if fewer than n_{i+1} are, stage i+1 runs just those.
// Every run end calls optimizer.observe(config, budget, value) (non-finite or failed: +inf).
// States: Running while out; Waiting after a run ended until the stage's decision; promoted
// trials stay Waiting until handed out again; Stopped, Completed (ended the last stage) and
// Failed (its run failed) are final.
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/hyperband_schedule.hpp"
#include "scheduler/promotion.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/trial_table.hpp"

namespace rungs::scheduler {

// What a bracket works with, owned by its scheduler and passed on each call (so that a
// bracket holds no reference that a move of the scheduler could leave dangling).
struct BracketContext {
  optimizers::Optimizer& optimizer;
  const fidelity::BudgetLadder& ladder;
  TrialTable& trials;
};

// Progress of one bracket, for status displays.
struct BracketStatus {
  std::size_t index = 0;     // Job::bracket
  BracketPlan plan;
  std::size_t stage = 0;     // current stage (the last one once finished)
  std::vector<std::size_t> runs_handed_out;  // per stage so far (stage i may run < n_i)
  std::size_t running = 0;   // runs out now
  bool finished = false;
};

// The value an optimizer observes for a run: its value, or +inf when the run failed or its
// value is not finite (NaN = missing, -inf = garbage): the worst, never the best.
double observed_value(const RunEnd& end);

class Bracket {
 public:
  // `index` is the bracket's number in its scheduler (Job::bracket).
  Bracket(std::size_t index, BracketPlan plan, PromotionRule rule = select_promotions);

  std::size_t index() const { return index_; }
  const BracketPlan& plan() const { return plan_; }
  std::size_t stage() const { return stage_; }
  bool finished() const { return finished_; }
  std::size_t running() const { return running_; }
  // True when next() would hand out a run now.
  bool has_job() const;

  // The next run of the current stage, or nullopt while the stage waits for its runs (or the
  // bracket is finished). Registers new trials in ctx.trials.
  std::optional<Job> next(const BracketContext& ctx);

  // A run of this bracket ended. Throws std::logic_error when `trial` is not a Running trial
  // of this bracket (unknown ids: std::out_of_range from the trial table).
  void on_run_end(TrialId trial, const RunEnd& end, const BracketContext& ctx);

  BracketStatus status() const;

 private:
  bool stage_handed_out() const;
  void close_stage(const BracketContext& ctx);
  std::vector<TrialId> checked_promotions(std::size_t k) const;

  std::size_t index_;
  BracketPlan plan_;
  PromotionRule rule_;
  std::size_t stage_ = 0;
  std::size_t new_left_ = 0;           // stage 0: new trials still to start
  std::deque<TrialId> promoted_;       // stage > 0: promoted trials still to hand out
  std::vector<RungResult> results_;    // the current stage's ended runs
  std::vector<std::size_t> handed_out_;  // per stage
  std::size_t running_ = 0;
  bool finished_ = false;
};

}  // namespace rungs::scheduler
