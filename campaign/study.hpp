#pragma once
// In-process use from C++ (ask/tell): the same schedulers and optimizers as `rungs run`,
// driven by your own loop instead of trial processes.
//
//   rungs::campaign::Study study(space, ladder, {.scheduler = "hyperband", .seed = 1});
//   while (auto job = study.ask()) {            // nullopt: finished (or waiting, see below)
//     double loss = train(job->config, job->budget);   // resume from job->resume_from if set
//     study.tell(job->trial, loss);
//   }
//   auto best = study.best();
//
// With synchronous schedulers ask() returns nullopt while a rung waits for results that
// were asked for but not told yet; a sequential loop like the one above never sees that.
// Check finished() to tell "done" from "waiting" when you evaluate several jobs at once.
#include <optional>
#include <set>
#include <string>

#include "campaign/campaign_spec.hpp"
#include "scheduler/incumbent.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

struct StudyOptions {
  std::string scheduler = "hyperband";    // hyperband | successive_halving | asha | async_hyperband
  std::string optimizer = "random";       // random | tpe | gp, with their default settings
  std::size_t iterations = 1;             // synchronous schedulers
  std::optional<std::size_t> max_trials = std::nullopt;  // asynchronous schedulers (required)
  std::uint64_t seed = 0;
  bool maximize = false;                  // tell() values are maximized instead of minimized
};

struct StudyResult {
  scheduler::TrialId trial = 0;
  space::Config config;
  fidelity::Budget budget;
  double value = 0;  // as told
};

class Study {
 public:
  Study(space::SearchSpace space, fidelity::BudgetLadder ladder, StudyOptions options = {});

  std::optional<scheduler::Job> ask();
  // An intermediate value of a running job (e.g. per epoch); Stop means end it early and tell.
  scheduler::Decision report(scheduler::TrialId trial, double step, double value);
  void tell(scheduler::TrialId trial, double value);
  void tell_failed(scheduler::TrialId trial);

  bool finished() const { return scheduler_->finished(); }
  scheduler::TrialState state(scheduler::TrialId trial) const { return scheduler_->state(trial); }
  // The incumbent (scheduler/incumbent.hpp): the best told value at the largest budget level
  // that has one; a trial told after report() said Stop never reached its budget and does
  // not count.
  std::optional<StudyResult> best() const { return best_; }

 private:
  CampaignSpec spec_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::map<scheduler::TrialId, scheduler::Job> outstanding_;
  std::set<scheduler::TrialId> stopped_;  // report() said Stop for their outstanding job
  scheduler::Incumbent incumbent_;
  std::optional<StudyResult> best_;
};

}  // namespace rungs::campaign
