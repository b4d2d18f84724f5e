#include "study/factory.hpp"

#include "optimizers/gp/gp_optimizer.hpp"
#include "optimizers/gp/pb2_bandit.hpp"
#include "optimizers/random_search.hpp"
#include "optimizers/tpe/tpe.hpp"
#include "scheduler/milestones.hpp"
#include "scheduler/stopping_rule.hpp"

namespace rungs::study {

std::unique_ptr<optimizers::Optimizer> make_optimizer(const OptimizerSettings& settings,
                                                      const space::SearchSpace& space, std::uint64_t seed) {
  struct Make {
    const space::SearchSpace& space;
    std::uint64_t seed;
    std::unique_ptr<optimizers::Optimizer> operator()(const RandomSearchSettings&) const {
      return std::make_unique<optimizers::RandomSearch>(space, seed);
    }
    std::unique_ptr<optimizers::Optimizer> operator()(const optimizers::TpeSettings& tpe) const {
      return std::make_unique<optimizers::Tpe>(space, tpe, seed);
    }
    std::unique_ptr<optimizers::Optimizer> operator()(const optimizers::GpSettings& gp) const {
      return std::make_unique<optimizers::GpOptimizer>(space, gp, seed);
    }
  };
  return std::visit(Make{space, seed}, settings);
}

std::unique_ptr<scheduler::Scheduler> make_scheduler(const SchedulerSettings& settings, const OptimizerSettings& optimizer,
                                                     const space::SearchSpace& space,
                                                     const fidelity::BudgetLadder& ladder, std::uint64_t seed) {
  return make_scheduler(settings, make_optimizer(optimizer, space, seed), ladder, space, seed);
}

std::unique_ptr<scheduler::Scheduler> make_scheduler(const SchedulerSettings& settings,
                                                     std::unique_ptr<optimizers::Optimizer> optimizer,
                                                     const fidelity::BudgetLadder& ladder,
                                                     const space::SearchSpace& space, std::uint64_t seed) {
  struct MakeScheduler {
    std::unique_ptr<optimizers::Optimizer> optimizer;
    const fidelity::BudgetLadder& ladder;
    const space::SearchSpace& space;
    std::uint64_t seed;
    std::unique_ptr<scheduler::Scheduler> operator()(const scheduler::HyperbandOptions& options) {
      return std::make_unique<scheduler::Hyperband>(std::move(optimizer), ladder, options);
    }
    std::unique_ptr<scheduler::Scheduler> operator()(const scheduler::SuccessiveHalvingOptions& options) {
      return std::make_unique<scheduler::SuccessiveHalving>(std::move(optimizer), ladder, options);
    }
    std::unique_ptr<scheduler::Scheduler> operator()(const scheduler::AshaOptions& options) {
      return std::make_unique<scheduler::Asha>(std::move(optimizer), ladder, options);
    }
    std::unique_ptr<scheduler::Scheduler> operator()(const scheduler::AsyncHyperbandOptions& options) {
      return std::make_unique<scheduler::AsyncHyperband>(std::move(optimizer), ladder, options);
    }
    std::unique_ptr<scheduler::Scheduler> operator()(const scheduler::FreezeThawOptions& options) {
      return std::make_unique<scheduler::FreezeThaw>(std::move(optimizer), ladder, space, options, seed);
    }
    std::unique_ptr<scheduler::Scheduler> operator()(const scheduler::PbtOptions& options) {
      // explore pb2: the GP bandit lives with the GP code (optimizers/interval_bandit.hpp says why).
      auto bandit = options.explore == scheduler::PbtExplore::pb2 ? std::make_unique<optimizers::gp::Pb2Bandit>(space)
                                                                   : nullptr;
      return std::make_unique<scheduler::Pbt>(std::move(optimizer), ladder, space, options, seed, std::move(bandit));
    }
  };
  auto made = std::visit(MakeScheduler{std::move(optimizer), ladder, space, seed}, settings.kind);
  if (!settings.stopping_rule) return made;

  struct MakeRule {
    const fidelity::BudgetLadder& ladder;
    std::unique_ptr<scheduler::StoppingRule> operator()(const scheduler::MedianStoppingOptions& options) const {
      return std::make_unique<scheduler::MedianStoppingRule>(options);
    }
    std::unique_ptr<scheduler::StoppingRule> operator()(scheduler::CurveExtrapolationOptions options) const {
      if (options.final_step == 0) options.final_step = scheduler::final_milestone(ladder);
      return std::make_unique<scheduler::CurveExtrapolationRule>(options);
    }
  };
  return std::make_unique<scheduler::WithStoppingRule>(std::move(made), std::visit(MakeRule{ladder}, *settings.stopping_rule));
}

}  // namespace rungs::study
