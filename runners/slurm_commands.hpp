#pragma once
// What rungs says to Slurm and what it reads back, as pure functions (unit-tested without a
// cluster): the sbatch command line of one job, the one squeue call that asks for the state
// of every job at once, and the meaning of Slurm's job states. Used by SlurmRunner.
//
// Job states (squeue %T), Slurm 22.05: PENDING, CONFIGURING, REQUEUED, RESIZING and
// SUSPENDED wait; RUNNING and COMPLETING run; COMPLETED, FAILED, CANCELLED, TIMEOUT,
// NODE_FAIL, PREEMPTED, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, SPECIAL_EXIT and REVOKED are
// ends. docs/slurm_facts.md has what was measured on a real cluster.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rungs::runners {

enum class JobPhase { Waiting, Running, Ended };
// Unknown states count as waiting: a newer Slurm's state must not end a run.
JobPhase job_phase(std::string_view state);
// The job ended without the trial having decided to: its time limit (TIMEOUT), a higher
// priority job (PREEMPTED) or its node (NODE_FAIL, BOOT_FAIL). The run goes on in a new job
// from its checkpoint, and this end is not a failure of the trial.
bool ended_by_cluster(std::string_view state);

struct JobState {
  std::string state;   // "RUNNING", "TIMEOUT", ...
  std::string reason;  // squeue %r: why it waits, or how it failed ("JobLaunchFailure")
};

// squeue for the given job ids, all states (-t all: finished jobs still in the controller's
// memory), one line per job "ID|STATE|REASON".
std::vector<std::string> squeue_argv(const std::string& squeue, const std::vector<std::string>& jobs);
// The jobs of that output by id; lines that do not parse are skipped.
std::map<std::string, JobState> parse_squeue(std::string_view out);
// squeue for jobs named `name`, any state, their ids only ("ID\n" lines): how a restarted
// rungs finds a job whose submission it did not see answered.
std::vector<std::string> squeue_by_name_argv(const std::string& squeue, const std::string& name);
std::vector<std::string> parse_job_ids(std::string_view out);
// `sbatch --parsable` prints "ID" or "ID;CLUSTER". nullopt if it printed something else.
std::optional<std::string> parse_sbatch(std::string_view out);

struct JobRequest {
  std::string name;                      // --job-name
  std::filesystem::path working_dir;     // --chdir
  std::filesystem::path stdout_path;     // -o, appended to (a chain of jobs shares it)
  std::filesystem::path stderr_path;     // -e, appended to
  std::vector<std::string> resources;    // sbatch options as the user gave them (--time=..., --gres=...)
  std::filesystem::path script;          // the job script (SlurmRunner writes it)
  std::vector<std::string> script_args;  // passed to the script as "$@", each one literal
};
// sbatch --parsable --no-requeue --open-mode=append ... SCRIPT ARGS...: no shell reads any of
// it; Slurm passes ARGS to the script as its positional parameters. --no-requeue: a job that
// ends for any reason is not run again by Slurm; rungs decides (it resubmits what the
// cluster ended, counting the chain).
std::vector<std::string> sbatch_argv(const std::string& sbatch, const JobRequest& request);
// scancel of these jobs; with `signal` (e.g. "KILL"), that signal to every process of each job,
// batch script included (--full), instead of a cancel.
std::vector<std::string> scancel_argv(const std::string& scancel, const std::vector<std::string>& jobs,
                                      const std::string& signal = {});

// Slurm's time format for sbatch --time: [D-]HH:MM:SS, rounded up to whole minutes as Slurm
// enforces it (at least one minute).
std::string slurm_time(std::chrono::seconds limit);

// The job script: runs the run's supervisor (supervisor/supervisor.cpp, --detached) with the
// script's arguments. $1 is the base of the supervisor's record; the job's id is appended so
// that each job of a chain leaves its own exit record.
std::string job_script_text(const std::filesystem::path& supervisor);

}  // namespace rungs::runners
