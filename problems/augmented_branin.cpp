#include "problems/augmented_branin.hpp"

#include <cmath>
#include <numbers>

namespace rungs::problems {

double augmented_branin(double x1, double x2, double s) {
  constexpr double pi = std::numbers::pi;
  const double b = 5.1 / (4 * pi * pi) - 0.1 * (1 - s);
  const double c = 5 / pi;
  const double t = 1 / (8 * pi);
  const double q = x2 - b * x1 * x1 + c * x1 - 6;
  return q * q + 10 * (1 - t) * std::cos(x1) + 10;
}

Problem augmented_branin_problem() {
  return Problem{
      .name = "branin",
      .description = "Augmented Branin (Wu et al., UAI 2019); fidelity s = 0..1 over budget units 1..81",
      .space = space::SearchSpace({space::real("x1", -5, 10), space::real("x2", 0, 15)}),
      .ladder = fidelity_s_ladder(),
      .fidelity_dimension = "s",
      .optimum = kBraninOptimum,
      .curve_start = 310,
      .objective =
          [](const space::Config& config, double s, std::mt19937_64&) {
            check_fidelity_s("branin", s);
            return augmented_branin(std::get<double>(config.at("x1")), std::get<double>(config.at("x2")), s);
          },
      .noise_free =
          [](const space::Config& config) {
            return augmented_branin(std::get<double>(config.at("x1")), std::get<double>(config.at("x2")), 1.0);
          },
  };
}

}  // namespace rungs::problems
