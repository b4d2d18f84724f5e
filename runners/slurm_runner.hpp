#pragma once
// SlurmRunner: each run is a Slurm batch job (or a chain of them), for trials that need a
// cluster. Same contract as every Runner (runners/runner.hpp); what differs, and why:
//
//  - Submission: `sbatch --parsable --no-requeue` of a fixed job script that execs
//    rungs-supervisor --detached with the trial's argv as the script's arguments: no shell
//    reads a parameter value. The job inherits the environment rungs gives it (--export=ALL).
//    Its stdout is LaunchSpec::stdout_path (appended to), followed from stdout_offset on each
//    output tick like a local run's (OutputFollower: works on NFS, no inotify needed).
//    The supervisor keeps every process of the trial in its tree (a trial that daemonizes
//    does not escape scancel) and writes its exit status to `<process_record>.<job id>`, so
//    the status is known even after Slurm has forgotten the job.
//  - One `squeue` call per poll for all jobs of all runs, never one per job. Lines are read
//    every output_poll; the timeout and heartbeat count from when the job runs (queue time is
//    not the trial's) and are checked on those ticks (so they are as exact as output_poll).
//  - stop(): `scancel` (the job ends as CANCELLED: Slurm sends TERM, then KILL after its
//    KillWait), and if it is still there after LaunchSpec::grace, `scancel --full
//    --signal=KILL`. stop_all() is one scancel of every job of this runner: only its jobs.
//  - A job the cluster ended (TIMEOUT, PREEMPTED, NODE_FAIL, BOOT_FAIL) is resubmitted with
//    RUNGS_RELAUNCH=1 to continue from the trial's checkpoint, up to max_resubmits times; the
//    chain is one run: one on_exit, lines from every job in order.
//  - pause() and resume() are not supported (false): a paused trial ends and a promotion
//    resubmits it from its checkpoint (pause: exit).
//  - Restart of rungs: LaunchSpec::process_record holds the run's jobs (slurm_run_record.hpp).
//    A launch whose record names a job whose end was not delivered follows that job on
//    (read from stdout_offset, its end delivered when it comes) instead of submitting: a job
//    is never submitted twice for one run. A submission whose answer was lost is found by the
//    run's job name. The destructor leaves jobs alone: a crash or an exception must not
//    cancel a multi-day training; Ctrl-C in rungs goes through stop_all().
//  - Slurm unreachable (sbatch or squeue fail to contact the controller, or time out): the
//    call is repeated on the next poll with a warning, never turned into a failed trial. An
//    sbatch that Slurm refuses (bad partition, account...) is a launch failure whose error
//    is sbatch's message.
#include <chrono>
#include <deque>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "runners/runner.hpp"

namespace rungs::runners {

struct CommandResult;

struct SlurmRunnerOptions {
  // Searched after PATH for a program named without a '/' (resolved on the submitting host:
  // the cluster must see the same path, a shared filesystem).
  std::vector<std::filesystem::path> program_dirs;
  std::filesystem::path supervisor;  // rungs-supervisor; empty: found as LocalRunner finds it
  // Where the job script is written at construction (on the shared filesystem).
  std::filesystem::path job_script;
  std::chrono::milliseconds poll{5000};         // squeue interval
  std::chrono::milliseconds output_poll{1000};  // output files read (and limits checked)
  std::size_t max_resubmits = 20;               // jobs the cluster may end per run, then it fails
  std::chrono::milliseconds command_deadline{60000};  // one sbatch/squeue/scancel call at most
  // sbatch calls under way at once: a burst of launches (hundreds of trials at the start of a
  // campaign) reaches the controller a few at a time.
  std::size_t max_submitting = 8;
  std::string sbatch = "sbatch", squeue = "squeue", scancel = "scancel";
  std::size_t max_line_bytes = std::size_t{1} << 20;
  // Warnings (Slurm unreachable, a job resubmitted after TIMEOUT): one line each, no newline.
  std::function<void(const std::string&)> on_warning;
};

class SlurmRunner final : public Runner {
 public:
  // Writes the job script. Throws std::runtime_error if it cannot, or if rungs-supervisor
  // cannot be found.
  SlurmRunner(boost::asio::io_context& io, SlurmRunnerOptions options);
  // Leaves every job as it is (see above); drops pending callbacks. Destroy before the io_context.
  ~SlurmRunner() override;
  SlurmRunner(const SlurmRunner&) = delete;
  SlurmRunner& operator=(const SlurmRunner&) = delete;

  RunId launch(LaunchSpec spec, RunCallbacks callbacks) override;
  void stop(RunId id) override;
  void stop_all() override;
  // scancel of the record's job if its end was not delivered (asynchronous: the job is
  // cancelled a moment later); the record is then marked collected.
  void end_recorded(const std::filesystem::path& record, std::chrono::milliseconds grace) override;
  bool pause(RunId) override { return false; }
  bool resume(RunId) override { return false; }
  std::size_t running() const override { return runs_.size(); }

  // sbatch and squeue calls made so far (for the benchmark: calls per minute).
  std::size_t sbatch_calls() const { return sbatch_calls_; }
  std::size_t squeue_calls() const { return squeue_calls_; }

 private:
  struct Run;
  void submit(Run& run);
  void on_submitted(RunId id, const CommandResult& result);
  void submit_waiting();
  void find_by_name(RunId id);
  void poll();
  void on_states(const CommandResult& result);
  void read_output();
  bool read_lines(Run& run);
  void check_limits(Run& run, std::chrono::steady_clock::time_point now);
  void job_ended(Run& run, const std::string& state, const std::string& reason);
  void finish(RunId id, ExitStatus status);
  bool begin_stop(Run& run);
  void cancel(const std::vector<std::string>& jobs, const std::string& signal = {});
  void warn(const std::string& text) const;
  void schedule_poll(std::chrono::milliseconds after);
  void save(const Run& run) const;

  boost::asio::io_context& io_;
  SlurmRunnerOptions options_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
  std::map<RunId, std::unique_ptr<Run>> runs_;
  RunId next_id_ = 0;
  boost::asio::steady_timer poll_timer_, output_timer_;
  bool polling_ = false;  // a squeue call is under way
  std::size_t submitting_now_ = 0;          // sbatch calls under way
  std::deque<RunId> waiting_to_submit_;     // runs whose sbatch waits for one of them to end
  std::size_t sbatch_calls_ = 0, squeue_calls_ = 0;
};

}  // namespace rungs::runners
