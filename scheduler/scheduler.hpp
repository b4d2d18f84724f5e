#pragma once
// When to run what at which budget, and when to stop. Pure decision logic: a Scheduler never
// launches anything; the campaign loop (or an ask/tell user) carries out its decisions.
//
// Contract, all calls from one thread:
//  - next() returns the next run to launch now, or nullopt when every remaining run must wait
//    for runs already handed out (or when the scheduler is finished).
//  - Every Job handed out is eventually answered by exactly one on_run_end() for its trial.
//  - on_report() may be called any number of times between next() and on_run_end() for that
//    trial; Decision::Stop asks the caller to terminate the run (it still calls on_run_end).
//  - finished() is true once no run will ever be handed out again and none is outstanding.
#include <cstddef>
#include <cstdint>
#include <optional>

#include "fidelity/budget.hpp"
#include "optimizers/optimizer.hpp"
#include "space/config.hpp"

namespace rungs::scheduler {

using TrialId = std::uint64_t;

// Population-based training (scheduler/pbt.hpp): a new trial that starts from another trial's
// checkpoint. The caller copies the donor's checkpoint kept at Job::resume_from (see
// keep_checkpoint) into the new trial's directory before the launch, and records the copy.
struct Inheritance {
  TrialId donor = 0;     // whose checkpoint the trial continues from, at Job::resume_from
  TrialId replaced = 0;  // the member's trial until now (stopped at its last budget)
  std::size_t member = 0;
};

// One run to launch: a new trial at its first rung, or a promoted trial at a larger budget.
struct Job {
  TrialId trial = 0;
  space::Config config;
  fidelity::Budget budget;
  std::optional<fidelity::Budget> resume_from;  // set on promotion (or inheritance): the budget already trained
  std::size_t bracket = 0;
  std::optional<Inheritance> inherits;  // PBT: a new trial continuing another trial's weights
  bool keep_checkpoint = false;         // PBT: keep the checkpoint at this run's end for later copies
};

// An intermediate result of a running run; value is to be minimized.
struct Report {
  double step = 0;   // progress within the run, e.g. the epoch just finished
  double value = 0;  // NaN or inf when the trial reported garbage
  // Constraint margins and objectives at this report (optimizers/optimizer.hpp); empty when
  // the campaign has neither.
  optimizers::Measures measures{};
};

enum class Decision { Continue, Stop };

// How a run ended, as far as decisions are concerned.
struct RunEnd {
  double value = 0;     // value at the run's budget, to minimize; NaN when missing
  bool failed = false;  // crashed, timed out, killed by a signal, or never reported
  // At the run's last report: constraint margins (feasibility) and the objectives. An
  // infeasible run ranks below every feasible one at its rung (promotion.hpp) and never
  // becomes the incumbent (incumbent.hpp).
  optimizers::Measures measures{};
};

enum class TrialState {
  Running,    // a run of it is out
  Waiting,    // finished its rung, the rung's decision is pending
  Stopped,    // not promoted: stopped early at a lower budget
  Completed,  // finished the largest budget of its bracket
  Failed,     // its last run failed
};

const char* to_string(TrialState state);

class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual std::optional<Job> next() = 0;
  virtual Decision on_report(TrialId trial, const Report& report) = 0;
  virtual void on_run_end(TrialId trial, const RunEnd& end) = 0;
  virtual bool finished() const = 0;
  // State of a trial handed out by next(); throws std::out_of_range for unknown ids.
  virtual TrialState state(TrialId trial) const = 0;
};

}  // namespace rungs::scheduler
