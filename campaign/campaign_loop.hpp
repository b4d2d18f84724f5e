#pragma once
// The campaign loop: carries out a Scheduler's decisions with a Runner on one event loop.
//
//   scheduler.next() --Job--> launch (argv, env, params file) --runner--> trial process
//   stdout line --parse--> report row + scheduler.on_report() --Stop--> runner.stop()
//   process exit --> run row + scheduler.on_run_end() --> next jobs ...
//
// The loop keeps at most max_concurrent runs out, ends when the scheduler is finished and
// nothing runs, and on SIGINT/SIGTERM stops every trial (whole process groups) before it
// returns. A trial that crashes, hangs or prints garbage is recorded; the campaign goes on.
//
// Every event goes to the campaign's store (store/store.hpp) before it takes effect. A
// store that already holds events is a campaign being resumed: the loop first replays them
// through a fresh scheduler (same seed, same YAML) so that it reaches the state it had, then
// relaunches the runs that were out and goes on (docs/storage.md, "Resume").
//
// Inside (campaign/dispatcher.hpp): a dispatcher over an event journal (store + replay), a
// keeper of the trials' processes, a trial book (the trials table), the run-end judge and
// the incumbent rule (scheduler/incumbent.hpp).
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "campaign/pareto_result.hpp"
#include "campaign/progress_line.hpp"
#include "campaign/replay_log.hpp"
#include "store/store.hpp"
#include "runners/runner.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

// The best result so far: highest budget level first, then best value.
struct BestResult {
  scheduler::TrialId trial = 0;
  std::size_t level = 0;
  double value = 0;  // in the metric's own direction
  space::Config config;
  nlohmann::json metrics;  // the run's last report, e.g. val_loss and val_acc
};

struct CampaignOutcome {
  bool interrupted = false;
  // Stopped by trial.max_failures_before_success: why (also the finish event's `failed`).
  std::optional<std::string> failed;
  // Ended at a limit (`limits:`): which, e.g. "cost limit 5200 reached: 5183 charged".
  std::optional<std::string> limit;
  std::optional<BestResult> best;
  std::vector<ParetoPoint> front;  // several objectives: the Pareto front (pareto_result.hpp)
  ProgressSnapshot totals;
};

// A run that failed for good (after its retries), as the loop recorded it: for the CLI to
// show its cause (campaign/failure_notes.hpp).
struct RunFailure {
  scheduler::TrialId trial = 0;
  std::int64_t run = 0;
  std::string failure;  // as recorded, e.g. "exited with code 2"
  std::filesystem::path trial_dir;
};

struct LoopOptions {
  std::filesystem::path output;                 // results and trial directories
  ProgressLine* progress = nullptr;
  bool handle_signals = true;  // stop trials and return on SIGINT/SIGTERM
  std::chrono::milliseconds progress_interval{250};  // how often the progress line is redrawn
  // Seconds since the campaign started, for report times, run durations and the progress
  // line; empty = the real steady clock. A simulated runner passes its virtual clock.
  std::function<double()> clock;
  // Resuming with `clock` set: moves that clock to the last recorded time before the runs
  // that were out are relaunched (SimulatedRunner::advance_clock).
  std::function<void(double)> restore_clock;
  // Each run's stdout goes to trial_dir/run-N.out, followed from the offset the loop recorded
  // with its last report (a relaunch after a crash of rungs reads on from there). Off for a
  // simulated runner, which has no files.
  bool output_files = true;
  // Called for each run that failed for good (not for one retried, nor while replaying).
  std::function<void(const RunFailure&)> on_run_failed;
};


// Runs (or resumes, when `store` holds events) the campaign. `scheduler` must be fresh, built
// from `spec`. Throws ReplayMismatch before launching anything if the store's events do not
// replay.
CampaignOutcome run_campaign(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                             runners::Runner& runner, boost::asio::io_context& io,
                             store::CampaignStore& store, const LoopOptions& options);

}  // namespace rungs::campaign
