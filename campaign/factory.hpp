#pragma once
// Builds the optimizer and scheduler a campaign spec names, through the ask/tell library's
// factory (study/factory.hpp), so "hyperband + random" means the same thing in `rungs run`,
// `rungs simulate`, the ask/tell Study and the tests. The spec's `start_with:` configurations
// come first (optimizers/start_queue.hpp).
#include <memory>

#include "campaign/campaign_spec.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

std::unique_ptr<optimizers::Optimizer> make_optimizer(const CampaignSpec& spec);
std::unique_ptr<scheduler::Scheduler> make_scheduler(const CampaignSpec& spec);

}  // namespace rungs::campaign
