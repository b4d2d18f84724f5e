#pragma once
// Reading the `scheduler:` section of a campaign file.
//
//   scheduler: {type: hyperband, eta: 3, iterations: 2, max_concurrent: 4}
//   scheduler: {type: successive_halving, bracket: 2}
//   scheduler: {type: asha, mode: promotion, max_trials: 200, max_concurrent: 16}
//   scheduler: {type: async_hyperband, mode: stopping, max_budget: 5000}
//   scheduler:
//     type: hyperband
//     stopping_rule: {type: median, grace_period: 3, min_samples: 3}   # or extrapolation
//
// Synchronous schedulers run a fixed schedule (iterations); asynchronous ones (ASHA) need a
// limit: max_trials (new configurations) and/or max_budget (budget units). Any scheduler can
// add a stopping rule that ends runs early from their learning curves.
#include <optional>
#include <string>

#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

struct StoppingRuleSpec {
  std::string type;               // median | extrapolation
  double grace_period = 0;        // median: steps before any decision
  std::size_t min_samples = 3;    // median: other trials needed at a step
  std::size_t min_points = 5;     // extrapolation: reports before any decision
  double threshold = 0.05;        // extrapolation: stop when P(beating the incumbent) is below
};

struct SchedulerSpec {
  std::string type = "hyperband";      // hyperband | successive_halving | asha | async_hyperband
  double eta = 3;
  std::size_t iterations = 1;          // synchronous: how many times to run the schedule
  std::optional<std::size_t> bracket;  // successive_halving, asha: which s (default s_max)
  std::string mode = "promotion";      // asha, async_hyperband: promotion | stopping
  std::optional<std::size_t> max_trials;  // asynchronous: new configurations
  std::optional<double> max_budget;       // asynchronous: budget units
  std::size_t max_concurrent = 1;
  std::optional<StoppingRuleSpec> stopping_rule;

  bool asynchronous() const { return type == "asha" || type == "async_hyperband"; }
};

SchedulerSpec read_scheduler(const YamlNode& node);

}  // namespace rungs::campaign
