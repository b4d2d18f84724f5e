#pragma once
// Builds the optimizer and scheduler a campaign spec names. The CLI, the ask/tell Study and
// the tests all go through here, so "hyperband + random" means the same thing everywhere.
#include <memory>

#include "campaign/campaign_spec.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

std::unique_ptr<optimizers::Optimizer> make_optimizer(const CampaignSpec& spec);
std::unique_ptr<scheduler::Scheduler> make_scheduler(const CampaignSpec& spec);

}  // namespace rungs::campaign
