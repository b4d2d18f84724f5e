#pragma once
// Reading the `scheduler:` section of a campaign file.
//
//   scheduler: {type: hyperband, eta: 3, iterations: 2, max_concurrent: 4}
//   scheduler: {type: successive_halving, bracket: 2}
//   scheduler: {type: asha, mode: promotion, max_trials: 200, max_concurrent: 16}
//   scheduler: {type: async_hyperband, mode: stopping, max_budget: 5000}
//   scheduler: {type: freeze_thaw, max_budget: 5200}        # yaml_freeze_thaw.hpp
//   scheduler: {type: pbt, population: 16, interval: 4}     # yaml_pbt.hpp
//   scheduler:
//     type: hyperband
//     stopping_rule: {type: median, grace_period: 3, min_samples: 3}   # or extrapolation
//
// Synchronous schedulers run a fixed schedule (iterations); asynchronous ones (ASHA) need a
// limit: the campaign's `limits:` (campaign/yaml_limits.hpp, checked there), or their own
// max_trials (new configurations) and/or max_budget (scheduler units, a promoted run counted at
// its whole budget: kept for old campaign files; limits.cost counts what runs are charged).
// Any scheduler can add a stopping rule that ends runs early from their learning curves.
#include "campaign/scheduler_spec.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

SchedulerSpec read_scheduler(const YamlNode& node);

}  // namespace rungs::campaign
