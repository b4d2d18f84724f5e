#include "scheduler/asha.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "scheduler/hyperband_schedule.hpp"

namespace rungs::scheduler {
namespace {

std::vector<AsyncBracketSpec> asha_bracket(const fidelity::BudgetLadder& ladder, std::optional<std::size_t> bracket) {
  const std::size_t s_max = ladder.s_max();
  const std::size_t s = bracket.value_or(s_max);
  if (s > s_max)
    throw std::invalid_argument(fmt::format(
        "ASHA bracket s = {} does not exist: this budget has brackets 0..{} (s_max = floor(log_eta(max/min)))", s,
        s_max));
  return {AsyncBracketSpec{s_max - s, 1}};
}

std::vector<AsyncBracketSpec> hyperband_shares(const fidelity::BudgetLadder& ladder) {
  std::vector<AsyncBracketSpec> specs;
  // Shares n_s sized by the ladder's level costs, as synchronous Hyperband's (hyperband_schedule.hpp).
  for (const BracketPlan& plan : hyperband_brackets(ladder.eta(), ladder.level_costs()))  // s = s_max .. 0
    specs.push_back(AsyncBracketSpec{plan.first_level(), plan.stages.front().configs});
  return specs;
}

}  // namespace

Asha::Asha(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder, AshaOptions options)
    : AsyncBracketScheduler(std::move(optimizer), ladder, options.mode, asha_bracket(ladder, options.bracket),
                            AsyncLimits{options.max_trials, options.max_units, options.limited_outside}) {}

AsyncHyperband::AsyncHyperband(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
                               AsyncHyperbandOptions options)
    : AsyncBracketScheduler(std::move(optimizer), ladder, options.mode, hyperband_shares(ladder),
                            AsyncLimits{options.max_trials, options.max_units, options.limited_outside}) {}

}  // namespace rungs::scheduler
