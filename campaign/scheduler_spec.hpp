#pragma once
// What a campaign's `scheduler:` section says, as plain data (campaign/yaml_scheduler.hpp
// reads it): the scheduler and its stopping rule as the ask/tell library types them
// (study/scheduler_settings.hpp; campaign/factory.hpp builds them through study/factory.hpp),
// plus what only a campaign has: the ladder's eta and how many runs go at once.
#include <cstddef>

#include "study/scheduler_settings.hpp"

namespace rungs::campaign {

struct SchedulerSpec : study::SchedulerSettings {
  double eta = 3;                  // the budget ladder's ratio (fidelity/ladder.hpp)
  std::size_t max_concurrent = 1;  // runs out at once
};

}  // namespace rungs::campaign
