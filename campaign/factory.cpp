#include "campaign/factory.hpp"

#include "study/factory.hpp"

namespace rungs::campaign {

std::unique_ptr<optimizers::Optimizer> make_optimizer(const CampaignSpec& spec) {
  return study::make_optimizer(spec.optimizer, spec.space, spec.seed);
}

std::unique_ptr<scheduler::Scheduler> make_scheduler(const CampaignSpec& spec) {
  return study::make_scheduler(spec.scheduler, spec.optimizer, spec.space, spec.ladder, spec.seed);
}

}  // namespace rungs::campaign
