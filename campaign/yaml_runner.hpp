#pragma once
// Reading the `runner:` section of a campaign file: where trials run.
//
//   runner: local                      # the default: local processes
//   runner:
//     type: slurm                      # each run is a Slurm batch job
//     partition: gpu
//     time: 12:00:00                   # or 12h; Slurm rounds up to whole minutes
//     cpus_per_task: 8
//     gres: gpu:1
//     mem: 32G
//     account: my-lab
//     qos: normal
//     sbatch_args: [--constraint=a100] # any other sbatch option
//     poll: 5s                         # one squeue for all jobs this often
//     max_resubmits: 20                # jobs per run the cluster may end (time limit, preemption)
//     warn_before_limit: 5m            # SIGUSR1 to the trial before the limit: checkpoint now
//     levels:                          # by budget level, from that level up
//       0: {time: 20m}
//       2: {time: 12h, mem: 64G}
#include "campaign/runner_spec.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

RunnerSpec read_runner(const YamlNode& node);

}  // namespace rungs::campaign
