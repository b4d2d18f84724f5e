#include "problems/problem.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "problems/learning_curve.hpp"

namespace rungs::problems {

double Problem::evaluate(const space::Config& config, const fidelity::Budget& budget,
                         std::mt19937_64& rng) const {
  const auto found = budget.values.find(fidelity_dimension);
  if (found == budget.values.end())
    throw std::invalid_argument(fmt::format("problem '{}': the budget has no '{}' dimension", name,
                                            fidelity_dimension));
  return evaluate_at(config, found->second, rng);
}

double Problem::evaluate_at(const space::Config& config, double fidelity, std::mt19937_64& rng) const {
  space.validate(config);
  return objective(config, fidelity, rng);
}

double Problem::full_fidelity() const {
  return ladder.at(ladder.levels() - 1).values.at(fidelity_dimension);
}

double Problem::true_value(const space::Config& config) const {
  space.validate(config);
  return noise_free(config);
}

double Problem::at_epoch(const space::Config& config, double epoch, double max_epochs) const {
  if (!(max_epochs > 0) || !std::isfinite(max_epochs))
    throw std::invalid_argument(fmt::format("at_epoch: max_epochs must be positive (got {})", max_epochs));
  const double progress = std::clamp(epoch / max_epochs, 0.0, 1.0);
  const double speed = curve_speed(space.encode(config));  // encode() validates the config
  return learning_curve(curve_start, noise_free(config), speed, progress);
}

fidelity::BudgetLadder fidelity_s_ladder() {
  return fidelity::BudgetLadder(
      1, 81, 3, {{"s", false, fidelity::Growth::Fixed, fidelity::Listed{{0.0, 0.25, 0.5, 0.75, 1.0}}}});
}

void check_fidelity_s(const char* problem, double s) {
  if (!(s >= 0 && s <= 1))
    throw std::invalid_argument(fmt::format("{}: the fidelity s must lie in [0, 1] (got {})", problem, s));
}

}  // namespace rungs::problems
