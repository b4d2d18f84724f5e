#pragma once
// Where a campaign's trials run: the `runner:` section, as plain data (campaign/yaml_runner.cpp
// reads it). Local processes by default; Slurm jobs with nothing else in the file changed.
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "campaign/config_error.hpp"

namespace rungs::campaign {

// One set of requests to Slurm; unset ones are left to the cluster's defaults.
struct SlurmRequests {
  std::optional<std::string> partition, time, gres, mem, account, qos;
  std::optional<std::size_t> cpus_per_task;
  std::vector<std::string> sbatch_args;  // any other sbatch options, as written
};

struct SlurmSpec {
  SlurmRequests requests;
  // Requests that depend on the budget level: for a run at level L, the entry with the
  // largest key <= L overrides `requests` key by key (a 1-epoch rung needs minutes, not 12 h).
  std::map<std::size_t, SlurmRequests> levels;
  std::chrono::milliseconds poll{5000};  // squeue interval
  std::size_t max_resubmits = 20;        // jobs the cluster may end (time limit, preemption) per run
  // SIGUSR1 to the trial this long before its job's time limit (0 = none), so that it can
  // checkpoint; Slurm sends it up to a minute earlier than asked (it checks every 30 s).
  std::chrono::seconds warn_before_limit{0};
  // Where each key was written, for Slurm's refusals ("partition" -> line:col).
  std::map<std::string, Location> written_at;
  Location at;  // the `runner:` section
};

struct RunnerSpec {
  enum class Kind { Local, Slurm } kind = Kind::Local;
  SlurmSpec slurm;
};

// The sbatch options of a run at `level` ("--partition=gpu", "--time=12:00:00", ...).
std::vector<std::string> sbatch_options(const SlurmSpec& slurm, std::size_t level);

}  // namespace rungs::campaign
