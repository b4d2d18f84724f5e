#pragma once
// Stopping rules, and a decorator that adds one to any Scheduler.
//
// A StoppingRule (Optuna's pruner, Ray's median rule) watches the learning curves and may ask to
// stop a run early; it never hands out work. WithStoppingRule wraps a scheduler (Hyperband,
// SuccessiveHalving, Asha, AsyncHyperband, ...) and a rule:
//
//  - next(), finished(): the inner scheduler's.
//  - on_report(): both see every report (the inner scheduler first: it checks the id and that
//    a run is out). The answer is Stop when either says Stop, and stays Stop for the rest of
//    that run (a report racing the termination is answered Stop without asking again).
//  - on_run_end(): both see it. When the RULE alone stopped the run, the inner scheduler is told
//    RunEnd{value, failed = true}: the run's value is that of a partial run (the campaign loop
//    sends the last reported value), which must not be ranked against complete runs of its
//    rung. So it is never promoted, and the optimizer observes +inf (worst) for it, as for any
//    failed run; the rule judged it worse than its peers. The rule gets the RunEnd as it came.
//  - state(): Stopped for a trial whose last run the rule stopped and which has ended (the
//    inner scheduler would say Failed); otherwise the inner scheduler's state.
//
// Rules see only trial ids and reports: a trial's curve is the sequence of its reports over
// all its runs (a promoted run that continues from its checkpoint continues its curve; a run
// that restarts overwrites the values at steps it reports again). Values are minimized.
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "scheduler/scheduler.hpp"

namespace rungs::scheduler {

class StoppingRule {
 public:
  virtual ~StoppingRule() = default;
  // A report of a running trial; Stop asks for its run to be terminated.
  virtual Decision on_report(TrialId trial, const Report& report) = 0;
  // A run of the trial ended (stopped, failed or complete).
  virtual void on_run_end(TrialId /*trial*/, const RunEnd& /*end*/) {}
};

class WithStoppingRule : public Scheduler {
 public:
  // Throws std::invalid_argument when either is null.
  WithStoppingRule(std::unique_ptr<Scheduler> inner, std::unique_ptr<StoppingRule> rule);

  std::optional<Job> next() override;
  Decision on_report(TrialId trial, const Report& report) override;
  void on_run_end(TrialId trial, const RunEnd& end) override;
  bool finished() const override { return inner_->finished(); }
  TrialState state(TrialId trial) const override;

  Scheduler& inner() { return *inner_; }
  const Scheduler& inner() const { return *inner_; }
  StoppingRule& rule() { return *rule_; }
  // Runs the rule stopped (alone: runs the inner scheduler stopped first do not count).
  std::size_t stopped_by_rule() const { return stopped_by_rule_count_; }

 private:
  struct RunFlags {
    bool inner_stop = false;  // the inner scheduler answered Stop during this run
    bool rule_stop = false;   // the rule answered Stop first
  };

  std::unique_ptr<Scheduler> inner_;
  std::unique_ptr<StoppingRule> rule_;
  std::unordered_map<TrialId, RunFlags> running_;   // runs out
  std::unordered_set<TrialId> stopped_by_rule_;     // trials whose last ended run the rule stopped
  std::size_t stopped_by_rule_count_ = 0;
};

}  // namespace rungs::scheduler
