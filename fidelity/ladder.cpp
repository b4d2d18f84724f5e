#include "fidelity/ladder.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace rungs::fidelity {

std::size_t max_bracket_index(double ratio, double eta) {
  return static_cast<std::size_t>(std::floor(std::log(ratio) / std::log(eta) + 1e-9));
}

BudgetLadder::BudgetLadder(double min_units, double max_units, double eta,
                           std::vector<Dimension> dimensions)
    : min_units_(min_units), max_units_(max_units), eta_(eta), dimensions_(std::move(dimensions)) {
  if (!(eta > 1)) throw std::invalid_argument(fmt::format("eta must be greater than 1 (got {})", eta));
  if (!(min_units > 0)) throw std::invalid_argument(fmt::format("min budget must be positive (got {})", min_units));
  if (!(max_units >= min_units))
    throw std::invalid_argument(
        fmt::format("max budget must be at least min budget (got {} < {})", max_units, min_units));
  s_max_ = max_bracket_index(max_units / min_units, eta);

  budgets_.resize(levels());
  for (std::size_t k = 0; k < levels(); ++k) {
    budgets_[k].level = k;
    budgets_[k].units = max_units * std::pow(eta, static_cast<double>(k) - static_cast<double>(s_max_));
  }
  for (const auto& dim : dimensions_) {
    for (std::size_t k = 0; k < levels(); ++k) {
      double value = 0;
      if (const auto* geo = std::get_if<Geometric>(&dim.mapping)) {
        if (!(geo->min > 0) || !(geo->max >= geo->min))
          throw std::invalid_argument(fmt::format(
              "dimension '{}': need 0 < min <= max (got min {}, max {})", dim.name, geo->min, geo->max));
        const double t = s_max_ == 0 ? 1.0 : static_cast<double>(k) / static_cast<double>(s_max_);
        value = geo->min * std::pow(geo->max / geo->min, t);
      } else {
        const auto& list = std::get<Listed>(dim.mapping).values;
        if (list.size() != levels())
          throw std::invalid_argument(fmt::format(
              "dimension '{}': lists {} values but the budget has {} levels (s_max = {})", dim.name,
              list.size(), levels(), s_max_));
        value = list[k];
        if (k > 0 && value < list[k - 1])
          throw std::invalid_argument(
              fmt::format("dimension '{}': values must not decrease from one level to the next", dim.name));
      }
      if (dim.integer) value = std::max(1.0, std::round(value));
      budgets_[k].values[dim.name] = value;
    }
  }
}

}  // namespace rungs::fidelity
