#pragma once
// A Scheduler that runs a sequence of synchronous successive-halving brackets: the common
// machinery of Hyperband and SuccessiveHalving (hyperband.hpp), which only choose the plans.
//
// Order and overlap: brackets run in order (bracket 0, 1, 2, ...) and next() always prefers
// the earliest open bracket that has a run ready. When every open bracket is waiting for the
// runs of its current stage, next() opens the next bracket so that free workers stay busy
// (HpBandSter's behaviour: a new iteration starts while the active ones wait). With
// overlap_brackets = false it instead returns nullopt until every open bracket has finished,
// so brackets run strictly one after another. next() opens at most one bracket per call, and
// only when asked for a run: with one worker, brackets never overlap.
//
// Trial ids are 1, 2, 3, ... in hand-out order, unique across brackets. on_report() always
// answers Continue (no stopping rule here). Contract violations throw: an id never handed out
// -> std::out_of_range (a std::logic_error); on_report/on_run_end for a trial with no run out
// (run already ended, or waiting for promotion) -> std::logic_error.
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/bracket.hpp"
#include "scheduler/hyperband_schedule.hpp"
#include "scheduler/promotion.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/trial_table.hpp"

namespace rungs::scheduler {

// The plan of bracket b, for b < bracket_count.
using BracketPlanner = std::function<BracketPlan(std::size_t bracket)>;

class BracketScheduler : public Scheduler {
 public:
  // Throws std::invalid_argument for a null optimizer, bracket_count == 0, an empty planner
  // or rule; a plan that reaches beyond the ladder's top level throws when its bracket opens.
  BracketScheduler(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
                   std::size_t bracket_count, BracketPlanner planner, bool overlap_brackets,
                   PromotionRule promotion);

  std::optional<Job> next() override;
  Decision on_report(TrialId trial, const Report& report) override;
  void on_run_end(TrialId trial, const RunEnd& end) override;
  bool finished() const override;
  TrialState state(TrialId trial) const override;

  // Read-only views for status and progress.
  const TrialInfo& trial(TrialId id) const { return trials_.at(id); }  // out_of_range if unknown
  const std::vector<TrialInfo>& trials() const { return trials_.all(); }  // id order
  std::size_t count(TrialState state) const { return trials_.count(state); }
  std::vector<BracketStatus> brackets() const;  // the brackets opened so far, in order
  std::size_t bracket_count() const { return bracket_count_; }  // opened or not
  // A grown campaign (campaign/campaign_growth.hpp): `count` brackets in all from now on, the
  // new ones opened as usual once the current ones wait. Throws std::invalid_argument when
  // `count` is smaller than bracket_count().
  void extend(std::size_t count);
  std::size_t runs_handed_out() const { return runs_handed_out_; }
  // Sum of Job::budget.units over every run handed out (a promoted run counts its whole
  // budget, whether or not it resumes from a checkpoint).
  double units_handed_out() const { return units_handed_out_; }

  const fidelity::BudgetLadder& ladder() const { return ladder_; }
  optimizers::Optimizer& optimizer() { return *optimizer_; }

 private:
  BracketContext context() { return BracketContext{*optimizer_, ladder_, trials_}; }
  Bracket& bracket_of(TrialId trial);
  std::optional<Job> hand_out(Bracket& bracket);
  bool open_brackets_finished() const;

  std::unique_ptr<optimizers::Optimizer> optimizer_;
  fidelity::BudgetLadder ladder_;
  std::size_t bracket_count_;
  BracketPlanner planner_;
  bool overlap_brackets_;
  PromotionRule promotion_;

  TrialTable trials_;
  std::vector<Bracket> brackets_;  // opened so far; brackets_[b].index() == b
  std::size_t first_unfinished_ = 0;
  std::size_t runs_handed_out_ = 0;
  double units_handed_out_ = 0;
};

}  // namespace rungs::scheduler
