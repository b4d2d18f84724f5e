#pragma once
// In-process use from C++ (ask/tell): the same schedulers and optimizers as `rungs run`,
// driven by your own loop instead of trial processes. This library (rungs::study) needs only
// space, fidelity, optimizers and scheduler: no YAML, no store, no processes.
//
//   using namespace rungs;
//   study::Study study(space, ladder, {.scheduler = {scheduler::HyperbandOptions{}},
//                                      .optimizer = optimizers::TpeSettings{}, .seed = 1});
//   while (auto job = study.ask()) {            // nullopt: finished (or waiting, see below)
//     double loss = train(job->config, job->budget);   // resume from job->resume_from if set
//     study.tell(job->trial, loss);
//   }
//   auto best = study.best();
//
// With synchronous schedulers ask() returns nullopt while a rung waits for results that
// were asked for but not told yet; a sequential loop like the one above never sees that.
// Check finished() to tell "done" from "waiting" when you evaluate several jobs at once.
// A CMake project uses it with find_package(rungs) and target_link_libraries(... rungs::study)
// (examples/03_ask_tell).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "fidelity/ladder.hpp"
#include "optimizers/start_queue.hpp"
#include "scheduler/incumbent.hpp"
#include "scheduler/scheduler.hpp"
#include "space/search_space.hpp"
#include "study/optimizer_settings.hpp"
#include "study/scheduler_settings.hpp"

namespace rungs::study {

// A result of an earlier campaign or study on this space (warm start, campaign/warm_start.hpp):
// the configuration, the level of THIS study's ladder it counts at, and its value as tell()
// takes it (in the study's direction).
struct PastObservation {
  space::Config config;
  std::size_t level = 0;
  double value = 0;
};

struct StudyOptions {
  SchedulerSettings scheduler = {};            // default: Hyperband, one iteration
  OptimizerSettings optimizer = {};            // default: random search
  std::uint64_t seed = 0;
  bool maximize = false;                       // tell() values are maximized instead of minimized
  // Configurations to try first, in order, before the optimizer's own (see enqueue).
  std::vector<space::Config> start_with = {};
  // Observations from past campaigns, fed to the optimizer before the first ask() as if it
  // had observed them (TPE: added to each level's observation set; GP: added as data), so the
  // first model-based suggestions already use them. They are not trials of this study: no
  // trial id, never run, never the incumbent. Each must be valid in `space` (it is encoded)
  // and its level one of the ladder's; throws space::SpaceError / std::out_of_range otherwise.
  std::vector<PastObservation> warm_start = {};
  // A campaign's limits.cost: ask() hands out no run whose charge (fidelity/run_cost.hpp:
  // a promoted run pays only what it adds) would take the total past it; the run it held is
  // the first one handed out if max_cost is raised (raise_max_cost). A run is charged in full
  // when it is handed out; one that report() stopped is charged, once told, what it trained up
  // to the step of that report (fidelity::trained_cost), as a campaign charges it. With
  // max_cost the scheduler needs no bound of its own (an asynchronous one is limited_outside).
  std::optional<double> max_cost = {};
};

struct StudyResult {
  scheduler::TrialId trial = 0;
  space::Config config;
  fidelity::Budget budget;
  double value = 0;  // as told
};

class Study {
 public:
  // Throws std::invalid_argument for settings the scheduler or optimizer rejects.
  Study(space::SearchSpace space, fidelity::BudgetLadder ladder, StudyOptions options = {});

  std::optional<scheduler::Job> ask();
  // Queues a configuration to try before the optimizer's next own suggestion (after those
  // already queued): the scheduler starts it like any new configuration, at the rung it next
  // fills with new ones, and the optimizer learns from its results. Throws space::SpaceError
  // (naming the parameter) for a configuration the space does not allow: unknown, missing,
  // inactive or out-of-range values (coerce text or JSON numbers first: space::coerce).
  void enqueue(space::Config config);
  // Configurations queued and not handed out yet.
  std::size_t queued() const;
  // An intermediate value of a running job (e.g. per epoch); Stop means end it early and tell.
  scheduler::Decision report(scheduler::TrialId trial, double step, double value);
  void tell(scheduler::TrialId trial, double value);
  void tell_failed(scheduler::TrialId trial);

  // Done: the scheduler has nothing more, or max_cost held its next run.
  bool finished() const { return held_.has_value() || scheduler_->finished(); }
  // The cost charged to the runs handed out so far (what max_cost bounds).
  double cost() const { return cost_; }
  scheduler::TrialState state(scheduler::TrialId trial) const { return scheduler_->state(trial); }
  // The incumbent (scheduler/incumbent.hpp): the best told value at the largest budget level
  // that has one; a trial told after report() said Stop never reached its budget and does
  // not count.
  std::optional<StudyResult> best() const { return best_; }

 private:
  double to_minimize(double value) const { return maximize_ ? -value : value; }

  bool maximize_ = false;
  fidelity::BudgetLadder ladder_;
  std::optional<double> max_cost_;
  double cost_ = 0;
  std::optional<scheduler::Job> held_;  // the next run, which max_cost did not let out
  optimizers::StartQueue* queue_ = nullptr;  // owned by the scheduler, which owns the optimizer
  std::unique_ptr<scheduler::Scheduler> scheduler_;
  std::map<scheduler::TrialId, scheduler::Job> outstanding_;
  std::map<scheduler::TrialId, double> stopped_;  // report() said Stop at this step for their outstanding job
  scheduler::Incumbent incumbent_;
  std::optional<StudyResult> best_;
};

}  // namespace rungs::study
