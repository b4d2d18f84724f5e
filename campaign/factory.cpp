#include "campaign/factory.hpp"

#include <stdexcept>

#include "optimizers/gp/gp_optimizer.hpp"
#include "optimizers/random_search.hpp"
#include "optimizers/tpe/tpe.hpp"
#include "scheduler/hyperband.hpp"

namespace rungs::campaign {

std::unique_ptr<optimizers::Optimizer> make_optimizer(const CampaignSpec& spec) {
  if (spec.optimizer.type == "random")
    return std::make_unique<optimizers::RandomSearch>(spec.space, spec.seed);
  if (spec.optimizer.type == "tpe")
    return std::make_unique<optimizers::Tpe>(spec.space, spec.optimizer.tpe, spec.seed);
  if (spec.optimizer.type == "gp")
    return std::make_unique<optimizers::GpOptimizer>(spec.space, spec.optimizer.gp, spec.seed);
  throw std::invalid_argument("unknown optimizer '" + spec.optimizer.type + "'");
}

std::unique_ptr<scheduler::Scheduler> make_scheduler(const CampaignSpec& spec) {
  if (spec.scheduler.type == "hyperband") {
    scheduler::HyperbandOptions options;
    options.iterations = spec.scheduler.iterations;
    return std::make_unique<scheduler::Hyperband>(make_optimizer(spec), spec.ladder, options);
  }
  if (spec.scheduler.type == "successive_halving") {
    scheduler::SuccessiveHalvingOptions options;
    options.bracket = spec.scheduler.bracket;
    options.iterations = spec.scheduler.iterations;
    return std::make_unique<scheduler::SuccessiveHalving>(make_optimizer(spec), spec.ladder, options);
  }
  throw std::invalid_argument("unknown scheduler '" + spec.scheduler.type + "'");
}

}  // namespace rungs::campaign
