#include "campaign/factory.hpp"

#include <stdexcept>

#include "optimizers/gp/gp_optimizer.hpp"
#include "optimizers/random_search.hpp"
#include "optimizers/tpe/tpe.hpp"
#include "scheduler/asha.hpp"
#include "scheduler/curve_extrapolation.hpp"
#include "scheduler/hyperband.hpp"
#include "scheduler/median_stopping.hpp"
#include "scheduler/milestones.hpp"
#include "scheduler/stopping_rule.hpp"

namespace rungs::campaign {

namespace {

std::unique_ptr<scheduler::Scheduler> make_base_scheduler(const CampaignSpec& spec) {
  const auto& s = spec.scheduler;
  const auto mode = s.mode == "stopping" ? scheduler::AshaMode::Stopping : scheduler::AshaMode::Promotion;
  if (s.type == "hyperband") {
    scheduler::HyperbandOptions options;
    options.iterations = s.iterations;
    return std::make_unique<scheduler::Hyperband>(make_optimizer(spec), spec.ladder, options);
  }
  if (s.type == "successive_halving") {
    scheduler::SuccessiveHalvingOptions options;
    options.bracket = s.bracket;
    options.iterations = s.iterations;
    return std::make_unique<scheduler::SuccessiveHalving>(make_optimizer(spec), spec.ladder, options);
  }
  if (s.type == "asha") {
    scheduler::AshaOptions options;
    options.mode = mode;
    options.bracket = s.bracket;
    options.max_trials = s.max_trials;
    options.max_units = s.max_budget;
    return std::make_unique<scheduler::Asha>(make_optimizer(spec), spec.ladder, options);
  }
  if (s.type == "async_hyperband") {
    scheduler::AsyncHyperbandOptions options;
    options.mode = mode;
    options.max_trials = s.max_trials;
    options.max_units = s.max_budget;
    return std::make_unique<scheduler::AsyncHyperband>(make_optimizer(spec), spec.ladder, options);
  }
  throw std::invalid_argument("unknown scheduler '" + s.type + "'");
}

std::unique_ptr<scheduler::StoppingRule> make_stopping_rule(const CampaignSpec& spec) {
  const auto& rule = *spec.scheduler.stopping_rule;
  if (rule.type == "median")
    return std::make_unique<scheduler::MedianStoppingRule>(
        scheduler::MedianStoppingOptions{rule.grace_period, rule.min_samples});
  if (rule.type == "extrapolation") {
    scheduler::CurveExtrapolationOptions options;
    options.final_step = scheduler::final_milestone(spec.ladder);
    options.min_points = rule.min_points;
    options.threshold = rule.threshold;
    return std::make_unique<scheduler::CurveExtrapolationRule>(options);
  }
  throw std::invalid_argument("unknown stopping rule '" + rule.type + "'");
}

}  // namespace

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
  auto scheduler = make_base_scheduler(spec);
  if (!spec.scheduler.stopping_rule) return scheduler;
  return std::make_unique<scheduler::WithStoppingRule>(std::move(scheduler), make_stopping_rule(spec));
}

}  // namespace rungs::campaign
