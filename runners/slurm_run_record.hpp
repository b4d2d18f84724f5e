#pragma once
// What a Slurm run keeps on disk so that a restarted rungs finds its jobs again
// (LaunchSpec::process_record; SlurmRunner writes it, atomically, before and after each
// sbatch and once the run's end has been delivered):
//   {"name": "quick-t0003-r4-1f2e", "jobs": ["812", "813"], "submitting": false,
//    "resubmits": 1, "collected": false}
// `name` is the Slurm job name of every job of the run: a submission whose answer rungs did
// not see (killed during sbatch) is found by it. `collected`: the run's end was delivered;
// a later launch with this record submits anew (a retry) instead of following the old job.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rungs::runners {

struct SlurmRunRecord {
  std::string name;
  std::vector<std::string> jobs;  // every job of the run's chain, oldest first
  bool submitting = false;        // an sbatch was under way when this was written
  std::size_t resubmits = 0;      // jobs after the first, for ends the cluster chose
  bool collected = false;
};

// nullopt if the file does not exist or is not a record (a torn or foreign file).
std::optional<SlurmRunRecord> read_slurm_record(const std::filesystem::path& path);
// Replaces the file atomically (write, fsync, rename): a crash leaves the old or the new one.
// Throws std::runtime_error if it cannot.
void write_slurm_record(const std::filesystem::path& path, const SlurmRunRecord& record);

}  // namespace rungs::runners
