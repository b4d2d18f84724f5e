#pragma once
// Asking Slurm, before anything is submitted, whether it would take a campaign's jobs:
// `sbatch --test-only` with the requests of each budget level (the same options the runs will
// get). A refusal ("invalid partition specified: gpu") becomes a ConfigError at the YAML key
// it is about (runner.partition, runner.levels.2.time, ...), so that `validate` and `run`
// refuse a bad cluster section at once instead of failing every trial.
#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

// Does nothing for a local runner. Throws ConfigError when sbatch is missing, Slurm cannot be
// reached, or it refuses the requests of some level.
void check_slurm(const CampaignSpec& spec);

}  // namespace rungs::campaign
