#include "campaign/factory.hpp"

#include "campaign/campaign_bounds.hpp"
#include "optimizers/start_queue.hpp"
#include "study/factory.hpp"

namespace rungs::campaign {

std::unique_ptr<optimizers::Optimizer> make_optimizer(const CampaignSpec& spec) {
  auto optimizer = study::make_optimizer(spec.optimizer, spec.space, spec.seed);
  // Past campaigns' observations (campaign/warm_start.hpp) reach the optimizer only, in their
  // recorded order: the scheduler never hears of them, and a resume feeds the same ones.
  auto first = spec.start_with;
  if (spec.warm) {
    for (const auto& past : spec.warm->observations)
      optimizer->observe_past(past.config, spec.ladder.at(past.level), spec.metric.to_minimize(past.value));
    first.insert(first.end(), spec.warm->first.begin(), spec.warm->first.end());
  }
  if (first.empty()) return optimizer;
  return std::make_unique<optimizers::StartQueue>(std::move(optimizer), spec.space, std::move(first));
}

std::unique_ptr<scheduler::Scheduler> make_scheduler(const CampaignSpec& spec) {
  return study::make_scheduler(scheduler_settings(spec), make_optimizer(spec), spec.ladder, spec.space, spec.seed);
}

}  // namespace rungs::campaign
