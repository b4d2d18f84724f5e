#include "campaign/factory.hpp"

#include "optimizers/start_queue.hpp"
#include "study/factory.hpp"

namespace rungs::campaign {

std::unique_ptr<optimizers::Optimizer> make_optimizer(const CampaignSpec& spec) {
  auto optimizer = study::make_optimizer(spec.optimizer, spec.space, spec.seed);
  if (spec.start_with.empty()) return optimizer;
  return std::make_unique<optimizers::StartQueue>(std::move(optimizer), spec.space, spec.start_with);
}

std::unique_ptr<scheduler::Scheduler> make_scheduler(const CampaignSpec& spec) {
  return study::make_scheduler(spec.scheduler, make_optimizer(spec), spec.ladder, spec.space, spec.seed);
}

}  // namespace rungs::campaign
