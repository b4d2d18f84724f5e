#include "fidelity/ladder.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "fidelity/custom_dimension.hpp"

namespace rungs::fidelity {

std::size_t max_bracket_index(double ratio, double eta) {
  return static_cast<std::size_t>(std::floor(std::log(ratio) / std::log(eta) + 1e-9));
}

namespace {

double mapped_value(const Dimension& dim, std::size_t k, std::size_t s_max, bool linear) {
  if (const auto* geo = std::get_if<Geometric>(&dim.mapping)) {
    if (!(geo->min > 0) || !(geo->max >= geo->min))
      throw std::invalid_argument(fmt::format(
          "dimension '{}': need 0 < min <= max (got min {}, max {})", dim.name, geo->min, geo->max));
    const double t = s_max == 0 ? 1.0 : static_cast<double>(k) / static_cast<double>(s_max);
    if (linear) return geo->min + (geo->max - geo->min) * t;
    return geo->min * std::pow(geo->max / geo->min, t);
  }
  if (const auto* custom = std::get_if<Custom>(&dim.mapping)) {
    if (!custom->dimension) throw std::invalid_argument(fmt::format("dimension '{}': no custom dimension given", dim.name));
    const double value = custom->dimension->value(k, s_max);
    if (!std::isfinite(value))
      throw std::invalid_argument(fmt::format("dimension '{}' ({}): value {} at level {}", dim.name, custom->kind, value, k));
    return value;
  }
  const auto& list = std::get<Listed>(dim.mapping).values;
  if (list.size() != s_max + 1)
    throw std::invalid_argument(fmt::format(
        "dimension '{}': lists {} values but the budget has {} levels (s_max = {})", dim.name, list.size(),
        s_max + 1, s_max));
  return list[k];
}

}  // namespace

BudgetLadder::BudgetLadder(double min_units, double max_units, double eta, std::vector<Dimension> dimensions,
                           CostModel cost_model, std::optional<double> step)
    : min_units_(min_units), max_units_(max_units), eta_(eta), step_(step), dimensions_(std::move(dimensions)),
      cost_model_(std::move(cost_model)) {
  if (!(eta > 1)) throw std::invalid_argument(fmt::format("eta must be greater than 1 (got {})", eta));
  if (!(min_units > 0)) throw std::invalid_argument(fmt::format("min budget must be positive (got {})", min_units));
  if (!(max_units >= min_units))
    throw std::invalid_argument(
        fmt::format("max budget must be at least min budget (got {} < {})", max_units, min_units));
  s_max_ = max_bracket_index(max_units / min_units, eta);
  if (step_) {
    const double count = (max_units - min_units) / *step_;
    if (!(*step_ > 0) || !std::isfinite(count) || count < 1 - 1e-9 || std::abs(count - std::round(count)) > 1e-6)
      throw std::invalid_argument(fmt::format(
          "step must divide max - min = {} into a whole number of steps (got step {})", max_units - min_units, *step_));
    s_max_ = static_cast<std::size_t>(std::round(count));
  }

  std::set<std::string> names;
  for (const auto& dim : dimensions_)
    if (!names.insert(dim.name).second) throw std::invalid_argument(fmt::format("dimension '{}' is given twice", dim.name));

  budgets_.resize(levels());
  for (std::size_t k = 0; k < levels(); ++k) {
    budgets_[k].level = k;
    budgets_[k].units = step_ ? min_units + (max_units - min_units) * static_cast<double>(k) / static_cast<double>(s_max_)
                              : max_units * std::pow(eta, static_cast<double>(k) - static_cast<double>(s_max_));
  }
  for (auto& dim : dimensions_) {
    if (const auto* custom = std::get_if<Custom>(&dim.mapping); custom && custom->dimension) {
      // The kind decides these; the fields mirror them so that code reading a Dimension
      // (milestones, the simulator, run_start) needs no special case.
      dim.growth = custom->dimension->growth();
      dim.integer = custom->dimension->integer();
      dim.warm_start = custom->dimension->warm_start();
    }
    if (!(dim.cost_power >= 0) || !std::isfinite(dim.cost_power))
      throw std::invalid_argument(fmt::format("dimension '{}': cost_power must be >= 0 (got {})", dim.name, dim.cost_power));
    for (std::size_t k = 0; k < levels(); ++k) {
      double value = mapped_value(dim, k, s_max_, step_.has_value());
      if (dim.integer) value = std::max(1.0, std::round(value));
      if (k > 0 && value < budgets_[k - 1].values.at(dim.name))
        throw std::invalid_argument(
            fmt::format("dimension '{}': values must not decrease from one level to the next (level {}: {}, level {}: {})",
                        dim.name, k - 1, budgets_[k - 1].values.at(dim.name), k, value));
      budgets_[k].values[dim.name] = value;
    }
  }

  if (cost_model_.kind() == CostModel::Kind::Formula) {
    std::vector<std::string> variables;
    for (const auto& dim : dimensions_) variables.push_back(dim.name);
    variables.push_back("units");
    variables.push_back("level");
    formula_.emplace(cost_model_.expression(), variables);
  }
  for (std::size_t k = 0; k < levels(); ++k) {
    const double cost = point_cost(budgets_[k]);
    if (!std::isfinite(cost) || cost < 0)
      throw std::invalid_argument(fmt::format("cost ({}) at level {} is {}: it must be a finite number >= 0",
                                              cost_model_.describe(), k, cost));
    if (k > 0 && cost < budgets_[k - 1].cost)
      throw std::invalid_argument(fmt::format(
          "cost ({}) must not decrease from one level to the next (level {}: {}, level {}: {})",
          cost_model_.describe(), k - 1, budgets_[k - 1].cost, k, cost));
    budgets_[k].cost = cost;
  }
  if (!(budgets_.back().cost > 0))
    throw std::invalid_argument(fmt::format("cost ({}) at the top level is {}: it must be positive",
                                            cost_model_.describe(), budgets_.back().cost));
}

const Dimension* BudgetLadder::dimension(const std::string& name) const {
  for (const auto& dim : dimensions_)
    if (dim.name == name) return &dim;
  return nullptr;
}

bool BudgetLadder::has_continued() const {
  return std::any_of(dimensions_.begin(), dimensions_.end(),
                     [](const Dimension& dim) { return dim.growth == Growth::Continued; });
}

std::vector<double> BudgetLadder::level_costs() const {
  std::vector<double> costs;
  costs.reserve(budgets_.size());
  for (const auto& budget : budgets_) costs.push_back(budget.cost);
  return costs;
}

double BudgetLadder::point_cost(const Budget& point) const {
  switch (cost_model_.kind()) {
    case CostModel::Kind::Units:
      return point.units;
    case CostModel::Kind::Product: {
      if (dimensions_.empty()) return point.units;  // an empty product would price every level alike
      double cost = max_units_;
      for (const auto& dim : dimensions_)
        cost *= relative_cost(dim, point.values.at(dim.name), budgets_.back().values.at(dim.name));
      return cost;
    }
    case CostModel::Kind::Formula: {
      std::vector<double> values;
      values.reserve(dimensions_.size() + 2);
      for (const auto& dim : dimensions_) values.push_back(point.values.at(dim.name));
      values.push_back(point.units);
      values.push_back(static_cast<double>(point.level));
      return (*formula_)(values);
    }
  }
  return point.units;
}

}  // namespace rungs::fidelity
