#pragma once
// Where a trial's run stands while it is out: what the campaign loop knows of it between its
// launch and its end (recorded or replayed alike). Owned by the loop, one per trial with a
// run out; the run events (run_events.hpp) are written from it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "optimizers/optimizer.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

struct ActiveRun {
  scheduler::Job job;
  std::int64_t run_number = 0;
  std::filesystem::path trial_dir;
  std::ofstream stdout_log;
  std::size_t line_number = 0;  // lines that counted: report lines and malformed ones
  double value = std::numeric_limits<double>::quiet_NaN();  // last reported value, to minimize
  nlohmann::json last_report;   // the metrics of its last report of the metric; null before
  std::vector<double> objectives;  // several objectives: its last report's, minimized
  // Constraint margins (its trial's latest constrained values) and objectives, as of its last
  // report: what the scheduler, the exit event and the incumbent see (objectives.hpp).
  optimizers::Measures measures;
  std::vector<double> constraint_values;  // its trial's latest constrained values, as reported
  bool stop_requested = false;  // the scheduler decided to stop it
  double started = 0;           // campaign seconds
  double charged = 0;           // its budget charge: fidelity::run_cost, or retrained_cost
  bool step_checked = false;    // its first report with a step was judged (retrain_check.hpp)
  bool retrained = false;       // it was told to resume and trained from the start instead
  bool charged_trained = false; // stopped early: charged the steps it trained (trained_cost)
  std::optional<double> last_step;  // the largest step it reported (with the metric)
  // Started again from a checkpoint after its process was lost (the campaign was interrupted,
  // a kept paused process was ended): reports the trial already made are dropped.
  bool relaunched = false;
  std::size_t attempts = 1;        // launches of this run: 1 + retries after failures
  std::optional<double> pause_at;  // pause: signal: the step the run ends at, process kept
  bool pausing = false;            // its end (a pause) is being recorded
  // Its output file (trial_dir/run-N.out, appended to by every process of the run) and how far
  // the loop has taken it in: a relaunch after a crash of rungs reads on from there, so the
  // lines the lost process printed after the last recorded one are not lost.
  std::uint64_t output_offset = 0;
  // The metric names its reports held while none held the campaign's metric, for the failure
  // of a run that never reports it (run_end.hpp); a few only, however many a trial prints.
  std::vector<std::string> other_metrics;
  void note_other_metrics(const nlohmann::json& metrics) {
    constexpr std::size_t kKept = 8;
    for (const auto& [name, value] : metrics.items()) {
      if (other_metrics.size() >= kKept) return;
      if (std::find(other_metrics.begin(), other_metrics.end(), name) == other_metrics.end()) other_metrics.push_back(name);
    }
  }
};

// The run's processes (local) or jobs (Slurm), for a restarted rungs to end or follow on
// (runners::LaunchSpec::process_record).
inline std::filesystem::path process_record(const ActiveRun& run) {
  return run.trial_dir / ("run-" + std::to_string(run.run_number) + ".record");
}

}  // namespace rungs::campaign
