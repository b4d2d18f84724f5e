#pragma once
// How a Slurm run ended, from what is known when its (last) job is over: the exit record its
// supervisor wrote, else Slurm's state and reason. A pure judgement, kept apart from the runner
// so that every case is unit-tested without a cluster.
//
// Order of trust (docs/slurm_facts.md): the supervisor's record first (exact code or signal,
// and it outlives Slurm's memory of the job); then CANCELLED (our scancel: SIGTERM); then a
// job that never ran (JobLaunchFailure, BOOT_FAIL: a launch failure; Slurm gives the same
// reason when the batch shell dies of a signal, so a job seen running is not one); else the
// end is unknown, saying what Slurm said.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "runners/runner.hpp"

namespace rungs::runners {

struct JobEnd {
  std::string job;
  std::string state;   // squeue's state; empty when Slurm no longer knows the job
  std::string reason;
  std::optional<ExitStatus> recorded;  // what the job's supervisor wrote at its end
  bool ran = false;                    // it was seen running, or it printed
  std::size_t resubmits = 0;           // jobs of the run before this one, for the message
};

// `flags` carries what the runner decided on the way (stopped, timed_out, stale, silent_for).
ExitStatus judge_job_end(ExitStatus flags, const JobEnd& end);

// The end the supervisor of `job` recorded in `<record>.<job>` ("end exit 3", "end signal
// 15", "end failed TEXT"); nullopt while it has not ended (or never ran).
std::optional<ExitStatus> recorded_end(const std::filesystem::path& record, const std::string& job);

}  // namespace rungs::runners
