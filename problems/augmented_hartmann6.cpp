#include "problems/augmented_hartmann6.hpp"

#include <cmath>

namespace rungs::problems {
namespace {

constexpr double kA[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                             {0.05, 10, 17, 0.1, 8, 14},
                             {3, 3.5, 1.7, 10, 17, 8},
                             {17, 8, 0.05, 10, 0.1, 14}};
constexpr double kP[4][6] = {{0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886},
                             {0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991},
                             {0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650},
                             {0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381}};

constexpr const char* kNames[6] = {"x0", "x1", "x2", "x3", "x4", "x5"};

std::array<double, 6> point(const space::Config& config) {
  std::array<double, 6> x{};
  for (std::size_t j = 0; j < 6; ++j) x[j] = std::get<double>(config.at(kNames[j]));
  return x;
}

}  // namespace

double augmented_hartmann6(const std::array<double, 6>& x, double s) {
  const double alpha[4] = {1.0 - 0.1 * (1 - s), 1.2, 3.0, 3.2};
  double sum = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    double inner = 0;
    for (std::size_t j = 0; j < 6; ++j) inner += kA[i][j] * (x[j] - kP[i][j]) * (x[j] - kP[i][j]);
    sum += alpha[i] * std::exp(-inner);
  }
  return -sum;
}

Problem augmented_hartmann6_problem() {
  std::vector<space::Parameter> parameters;
  for (std::size_t j = 0; j < 6; ++j) parameters.push_back(space::real(kNames[j], 0, 1));
  return Problem{
      .name = "hartmann6",
      .description = "Augmented Hartmann-6 (Wu et al., UAI 2019); fidelity s = 0..1 over budget units 1..81",
      .space = space::SearchSpace(std::move(parameters)),
      .ladder = fidelity_s_ladder(),
      .fidelity_dimension = "s",
      .optimum = kHartmann6Optimum,
      .curve_start = 0,
      .objective =
          [](const space::Config& config, double s, std::mt19937_64&) {
            check_fidelity_s("hartmann6", s);
            return augmented_hartmann6(point(config), s);
          },
      .noise_free = [](const space::Config& config) { return augmented_hartmann6(point(config), 1.0); },
  };
}

}  // namespace rungs::problems
