#pragma once
// How a run ended, judged from its exit status and what the run did before: the campaign
// loop calls judge_run_end() when a run's process exits (not for a pause: signal pause, which
// keeps the process), then may_retry() for a failed run. Pure: testable without processes.
//
// The rule:
//  - a run the scheduler decided to stop did what was asked, whatever its exit, unless the
//    runner itself had to end it first (timeout, heartbeat) or it never started: stopped;
//  - a stale run (no line within trial.heartbeat) with on_stale: stop, that reported the
//    metric, ends with its last reported value: stopped, not failed;
//  - any other end that is not a clean exit with code 0 failed (runners::describe says how);
//  - a clean exit without ever reporting the metric failed too ("exited without reporting
//    'val_loss'; it reported train_loss, acc", or "...: it printed no report line");
//  - otherwise the run completed its budget.
// A failed run is retried (launched again from its checkpoint) while it has attempts left
// (trial.retries), unless the scheduler asked it to stop or it went stale with an on_stale
// other than retry.
#include <cstddef>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "runners/runner.hpp"

namespace rungs::campaign {

// What the run did before it ended.
struct RunFacts {
  bool stop_requested = false;   // the scheduler decided to stop it (a Decision event)
  bool reported_metric = false;  // it reported the campaign's metric (a number or not)
  std::size_t attempts = 1;      // launches of this run: 1 + retries after failures
};

enum class RunEndKind {
  Completed,  // exited cleanly after reporting the metric
  Stopped,    // ended by a stop decision of the scheduler
  StaleStop,  // stale with on_stale: stop, ends with its last reported value
  Failed,
};

struct RunVerdict {
  RunEndKind kind = RunEndKind::Failed;
  std::string failure;  // Failed only: one line, as recorded and warned
  bool failed() const { return kind == RunEndKind::Failed; }
};

// `metric` names the campaign's metric in the failure of a run that never reported it, and
// `other_metrics` the ones its reports held instead (a few, in the order first seen): a typo
// in either name shows in the failure.
RunVerdict judge_run_end(const runners::ExitStatus& status, const RunFacts& run, const TrialSpec& trial,
                         const std::string& metric, const std::vector<std::string>& other_metrics = {});

// True if a run that failed with `status` is launched again.
bool may_retry(const runners::ExitStatus& status, const RunFacts& run, const TrialSpec& trial);

}  // namespace rungs::campaign
