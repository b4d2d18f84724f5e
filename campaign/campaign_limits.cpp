#include "campaign/campaign_limits.hpp"

#include <type_traits>
#include <variant>
#include <vector>

#include "fidelity/run_cost.hpp"
#include "scheduler/hyperband_schedule.hpp"

namespace rungs::campaign {

namespace {

// The brackets' trials and charges, each bracket `repeats` times.
CampaignLimits planned(const fidelity::BudgetLadder& ladder, const std::vector<scheduler::BracketPlan>& brackets,
                       std::size_t repeats) {
  std::size_t trials = 0;
  double budget = 0;
  for (const auto& bracket : brackets) {
    trials += bracket.stages.front().configs;
    for (std::size_t i = 0; i < bracket.stages.size(); ++i) {
      const auto& stage = bracket.stages[i];
      std::optional<fidelity::Budget> from;
      if (i > 0) from = ladder.at(bracket.stages[i - 1].level);
      budget += static_cast<double>(stage.configs) * fidelity::run_cost(ladder, ladder.at(stage.level), from);
    }
  }
  return {trials * repeats, budget * static_cast<double>(repeats), std::nullopt, std::nullopt, std::nullopt};
}

}  // namespace

CampaignLimits campaign_limits(const CampaignSpec& spec) {
  const auto& ladder = spec.ladder;
  auto limits = std::visit(
      [&ladder](const auto& options) -> CampaignLimits {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (std::is_same_v<Options, scheduler::HyperbandOptions> ||
                      std::is_same_v<Options, scheduler::SuccessiveHalvingOptions>) {
          if (options.iterations == kUnboundedIterations) return CampaignLimits{};
        }
        if constexpr (std::is_same_v<Options, scheduler::HyperbandOptions>) {
          return planned(ladder, scheduler::hyperband_brackets(ladder.eta(), ladder.level_costs()), options.iterations);
        } else if constexpr (std::is_same_v<Options, scheduler::SuccessiveHalvingOptions>) {
          // As scheduler/hyperband.cpp sizes it: the paper's n for bracket s unless given.
          const std::size_t s_max = ladder.s_max();
          const std::size_t s = options.bracket.value_or(s_max);
          const std::size_t n0 = options.initial_configs.value_or(scheduler::hyperband_initial_configs(s, s_max, ladder.eta()));
          return planned(ladder, {scheduler::successive_halving_plan(n0, s_max - s, s + 1, ladder.eta())}, options.iterations);
        } else if constexpr (std::is_same_v<Options, scheduler::FreezeThawOptions> ||
                             std::is_same_v<Options, scheduler::PbtOptions>) {
          return {options.max_trials, options.max_cost, std::nullopt, std::nullopt, std::nullopt};  // max_budget is the cost charged
        } else {
          return {options.max_trials, std::nullopt, options.max_units, std::nullopt, std::nullopt};
        }
      },
      spec.scheduler.kind);
  limits.cost = spec.limits.cost;
  limits.wall = spec.limits.wall;
  if (spec.limits.trials && (!limits.trials || *spec.limits.trials < *limits.trials)) limits.trials = spec.limits.trials;
  return limits;
}

}  // namespace rungs::campaign
