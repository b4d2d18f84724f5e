#include "campaign/runner_spec.hpp"

namespace rungs::campaign {

std::vector<std::string> sbatch_options(const SlurmSpec& slurm, std::size_t level) {
  SlurmRequests chosen = slurm.requests;
  const auto by_level = slurm.levels.upper_bound(level);
  if (by_level != slurm.levels.begin()) {
    const SlurmRequests& over = std::prev(by_level)->second;
    for (auto [field, value] : {std::pair{&SlurmRequests::partition, &over.partition},
                                {&SlurmRequests::time, &over.time}, {&SlurmRequests::gres, &over.gres},
                                {&SlurmRequests::mem, &over.mem}, {&SlurmRequests::account, &over.account},
                                {&SlurmRequests::qos, &over.qos}})
      if (*value) chosen.*field = *value;
    if (over.cpus_per_task) chosen.cpus_per_task = over.cpus_per_task;
    chosen.sbatch_args.insert(chosen.sbatch_args.end(), over.sbatch_args.begin(), over.sbatch_args.end());
  }
  std::vector<std::string> options;
  auto add = [&](const char* flag, const std::optional<std::string>& value) {
    if (value) options.push_back(std::string(flag) + "=" + *value);
  };
  add("--partition", chosen.partition);
  add("--time", chosen.time);
  add("--gres", chosen.gres);
  add("--mem", chosen.mem);
  add("--account", chosen.account);
  add("--qos", chosen.qos);
  if (chosen.cpus_per_task) options.push_back("--cpus-per-task=" + std::to_string(*chosen.cpus_per_task));
  // B: to the batch shell, which is the run's supervisor: it passes the signal to the trial.
  if (slurm.warn_before_limit.count() > 0)
    options.push_back("--signal=B:USR1@" + std::to_string(slurm.warn_before_limit.count()));
  options.insert(options.end(), chosen.sbatch_args.begin(), chosen.sbatch_args.end());
  return options;
}

}  // namespace rungs::campaign
