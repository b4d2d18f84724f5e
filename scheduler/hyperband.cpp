#include "scheduler/hyperband.hpp"

#include <fmt/format.h>

#include <limits>
#include <stdexcept>
#include <vector>

namespace rungs::scheduler {
namespace {

std::size_t checked_iterations(std::size_t iterations, std::size_t brackets_per_iteration) {
  if (iterations == 0) throw std::invalid_argument("iterations must be at least 1 (got 0)");
  if (iterations > std::numeric_limits<std::size_t>::max() / brackets_per_iteration)
    throw std::invalid_argument(fmt::format("iterations = {} is too large", iterations));
  return iterations * brackets_per_iteration;
}

BracketPlan successive_halving_bracket(const fidelity::BudgetLadder& ladder, const SuccessiveHalvingOptions& o) {
  const std::size_t s_max = ladder.s_max();
  const std::size_t s = o.bracket.value_or(s_max);
  if (s > s_max)
    throw std::invalid_argument(fmt::format(
        "successive halving bracket s = {} does not exist: this budget has brackets 0..{} "
        "(s_max = floor(log_eta(max/min)))",
        s, s_max));
  if (o.initial_configs && *o.initial_configs == 0)
    throw std::invalid_argument("successive halving needs at least 1 initial configuration (got 0)");
  const std::size_t n0 = o.initial_configs.value_or(hyperband_initial_configs(s, s_max, ladder.eta()));
  BracketPlan plan = successive_halving_plan(n0, s_max - s, s + 1, ladder.eta());
  plan.s = s;
  return plan;
}

}  // namespace

Hyperband::Hyperband(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
                     HyperbandOptions options)
    : BracketScheduler(
          std::move(optimizer), ladder, checked_iterations(options.iterations, ladder.levels()),
          // Sized by the ladder's level costs (hyperband_schedule.hpp); the paper's table when
          // the costs are the budget units.
          [plans = hyperband_brackets(ladder.eta(), ladder.level_costs())](std::size_t b) {
            return plans[b % plans.size()];
          },
          options.overlap_brackets, std::move(options.promotion)) {}

SuccessiveHalving::SuccessiveHalving(std::unique_ptr<optimizers::Optimizer> optimizer,
                                     fidelity::BudgetLadder ladder, SuccessiveHalvingOptions options)
    : BracketScheduler(std::move(optimizer), ladder, checked_iterations(options.iterations, 1),
                       [plan = successive_halving_bracket(ladder, options)](std::size_t) { return plan; },
                       options.overlap_brackets, std::move(options.promotion)),
      plan_(successive_halving_bracket(this->ladder(), options)) {}

}  // namespace rungs::scheduler
