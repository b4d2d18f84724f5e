#include "campaign/run_end.hpp"

#include <fmt/format.h>

namespace rungs::campaign {

RunVerdict judge_run_end(const runners::ExitStatus& status, const RunFacts& run, const TrialSpec& trial,
                         const std::string& metric, const std::vector<std::string>& other_metrics) {
  using Kind = runners::ExitStatus::Kind;
  // The runner's own limits and a launch that never happened are failures even after a stop
  // decision: the run did not end because it was asked to.
  if (run.stop_requested && !status.timed_out && !status.stale && status.kind != Kind::LaunchFailed)
    return {RunEndKind::Stopped, ""};
  if (status.stale && trial.on_stale == TrialSpec::OnStale::Stop && run.reported_metric)
    return {RunEndKind::StaleStop, ""};
  if (!runners::succeeded(status)) return {RunEndKind::Failed, runners::describe(status)};
  if (!run.reported_metric) {
    if (other_metrics.empty())
      return {RunEndKind::Failed, fmt::format("exited without reporting '{}': it printed no report line", metric)};
    return {RunEndKind::Failed, fmt::format("exited without reporting '{}'; it reported {}", metric,
                                            fmt::join(other_metrics, ", "))};
  }
  return {RunEndKind::Completed, ""};
}

bool may_retry(const runners::ExitStatus& status, const RunFacts& run, const TrialSpec& trial) {
  if (run.stop_requested || run.attempts > trial.retries) return false;
  return !status.stale || trial.on_stale == TrialSpec::OnStale::Retry;
}

}  // namespace rungs::campaign
