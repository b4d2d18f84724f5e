#pragma once
// Reading `scheduler: {type: pbt, ...}` (scheduler/pbt.hpp): read_scheduler
// (yaml_scheduler.hpp) hands the section here; read_campaign checks it against the budget.
//
//   scheduler:
//     type: pbt
//     population: 16              # members trained side by side
//     interval: 4                 # budget units per run (a multiple of budget.step; default: the step)
//     quantile: 0.25              # bottom members exploit top ones (at most 0.5)
//     perturb: [0.8, 1.2]         # explore: numeric values multiplied by one of these
//     resample_probability: 0.25  # explore: a value resampled from the space instead
//     explore: perturb            # or pb2: a time-varying GP bandit chooses the numeric values
//     synchronous: false          # true: each generation waits for the whole population
//     max_concurrent: 4
//     max_budget: 5200            # optional: cost charged (the campaign's limits: work too)
//     max_trials: 100             # optional: trials (members + exploits)
// with linear budget levels, e.g. budget: {min: 4, max: 32, step: 4, dimensions: {...}}.
#include "campaign/scheduler_spec.hpp"
#include "campaign/yaml_reader.hpp"
#include "fidelity/ladder.hpp"

namespace rungs::campaign {

SchedulerSpec read_pbt(const YamlNode& node);

// The budget must have linear levels (budget.step) that the interval is a whole multiple of;
// fails at the offending node of `root` otherwise.
void check_pbt_budget(const scheduler::PbtOptions& options, const fidelity::BudgetLadder& ladder, const YamlNode& root);

}  // namespace rungs::campaign
