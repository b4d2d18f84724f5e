#pragma once
// Reading `scheduler: {type: freeze_thaw, ...}` (scheduler/freeze_thaw.hpp): read_scheduler
// (yaml_scheduler.hpp) hands the section here.
//
//   scheduler:
//     type: freeze_thaw
//     max_budget: 5200        # cost charged (the increment of a continued run); and/or
//     max_trials: 500         # new configurations
//     max_concurrent: 4
//     initial: 5              # new configurations from the optimizer before the model decides
//     candidates: 200         # random configurations scored per decision
//     local: 100              # and neighbours of the 10 that score best
//     train_steps: 20         # Adam steps per ensemble member per decision
//     per_cost: true          # rank by EI per budget left to the top (false: plain EI, as DPL)
//     model: {members: 5, hidden: 32, batch: 64, learning_rate: 0.002}   # members: at most 16
// with a fine budget ladder, e.g. budget: {min: 2, max: 52, step: 2, dimensions: {...}}.
#include "campaign/scheduler_spec.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

SchedulerSpec read_freeze_thaw(const YamlNode& node);

}  // namespace rungs::campaign
