#pragma once
// What a campaign's `scheduler:` section says, as plain data (campaign/yaml_scheduler.hpp
// reads it; campaign/factory.hpp builds the scheduler from it).
#include <cstddef>
#include <optional>
#include <string>

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

}  // namespace rungs::campaign
