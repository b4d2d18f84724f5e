#include "problems/counting_ones.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "space/sampling.hpp"

namespace rungs::problems {
namespace {

std::string categorical_name(std::size_t i) { return fmt::format("cat{}", i); }
std::string continuous_name(std::size_t j) { return fmt::format("cont{}", j); }

// Categorical values are the choices "0" / "1", continuous ones doubles in [0,1].
double categorical_value(const space::Value& value) { return std::get<std::string>(value) == "1" ? 1 : 0; }

}  // namespace

double counting_ones_value(const space::Config& config, std::size_t draws, std::mt19937_64& rng) {
  if (draws == 0) throw std::invalid_argument("counting ones: the number of draws must be at least 1");
  double sum = 0;
  for (const auto& [name, value] : config) {  // by name: the draws' order is fixed
    if (std::holds_alternative<std::string>(value)) {
      sum += categorical_value(value);
      continue;
    }
    const double p = std::get<double>(value);
    std::size_t ones = 0;
    for (std::size_t k = 0; k < draws; ++k)
      if (space::uniform01(rng) < p) ++ones;
    sum += static_cast<double>(ones) / static_cast<double>(draws);
  }
  return -sum;
}

double counting_ones_expected(const space::Config& config) {
  double sum = 0;
  for (const auto& [name, value] : config)
    sum += std::holds_alternative<std::string>(value) ? categorical_value(value) : std::get<double>(value);
  return -sum;
}

Problem counting_ones(std::size_t n_categorical, std::size_t n_continuous) {
  if (n_categorical + n_continuous == 0)
    throw std::invalid_argument("counting ones: needs at least one dimension");
  std::vector<space::Parameter> parameters;
  for (std::size_t i = 0; i < n_categorical; ++i)
    parameters.push_back(space::categorical(categorical_name(i), {"0", "1"}));
  for (std::size_t j = 0; j < n_continuous; ++j) parameters.push_back(space::real(continuous_name(j), 0, 1));

  const std::size_t dims = n_categorical + n_continuous;
  return Problem{
      .name = fmt::format("counting_ones_{}", dims),
      .description = fmt::format("Counting Ones, {} categorical + {} continuous (Falkner et al., ICML 2018); "
                                 "budget = Bernoulli draws 9..729",
                                 n_categorical, n_continuous),
      .space = space::SearchSpace(std::move(parameters)),
      .ladder = fidelity::BudgetLadder(9, 729, 3,
                                       {{"draws", true, fidelity::Growth::Fixed, fidelity::Geometric{9, 729}}}),
      .fidelity_dimension = "draws",
      .optimum = -static_cast<double>(dims),
      .curve_start = 0,  // all zeros: the worst value
      .objective =
          [](const space::Config& config, double fidelity, std::mt19937_64& rng) {
            if (!(fidelity >= 1) || !std::isfinite(fidelity))
              throw std::invalid_argument(
                  fmt::format("counting ones: draws must be at least 1 (got {})", fidelity));
            return counting_ones_value(config, static_cast<std::size_t>(std::llround(fidelity)), rng);
          },
      .noise_free = [](const space::Config& config) { return counting_ones_expected(config); },
  };
}

}  // namespace rungs::problems
