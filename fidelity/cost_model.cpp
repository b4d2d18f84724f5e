#include "fidelity/cost_model.hpp"

#include <fmt/format.h>
#include <muParser.h>

#include <cmath>
#include <mutex>
#include <stdexcept>

#include "fidelity/custom_dimension.hpp"

namespace rungs::fidelity {

std::string CostModel::describe() const {
  switch (kind_) {
    case Kind::Units: return "units";
    case Kind::Product: return "product";
    case Kind::Formula: return expression_;
  }
  return "";
}

double relative_cost(const Dimension& dimension, double value, double top) {
  double factor = 1;
  if (const auto* custom = std::get_if<Custom>(&dimension.mapping)) {
    factor = custom->dimension->relative_cost(value, top);
  } else if (dimension.cost_power != 0) {
    factor = std::pow(value / top, dimension.cost_power);
  }
  if (!std::isfinite(factor) || factor < 0)
    throw std::invalid_argument(fmt::format(
        "dimension '{}': relative cost of {} (top value {}) is {}; the product cost model needs a positive "
        "top value (or cost_power: 0)",
        dimension.name, value, top, factor));
  return factor;
}

struct CostFormula::Compiled {
  std::mutex mutex;
  mu::Parser parser;
  std::vector<std::string> names;
  std::vector<double> slots;  // muParser reads the variables from here, by address
};

CostFormula::CostFormula(const std::string& expression, std::vector<std::string> variables)
    : compiled_(std::make_shared<Compiled>()) {
  auto& c = *compiled_;
  c.names = std::move(variables);
  c.slots.assign(c.names.size(), 1.0);
  try {
    for (std::size_t i = 0; i < c.names.size(); ++i) c.parser.DefineVar(c.names[i], &c.slots[i]);
    c.parser.SetExpr(expression);
    c.parser.Eval();  // parses now: syntax errors and unknown names surface here, not mid-campaign
  } catch (const mu::Parser::exception_type& e) {
    std::string known;
    for (const auto& name : c.names) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument(fmt::format("cost formula '{}': {} (at position {}; variables: {})", expression,
                                            e.GetMsg(), e.GetPos() + 1, known));
  }
}

double CostFormula::operator()(const std::vector<double>& values) const {
  auto& c = *compiled_;
  if (values.size() != c.names.size())
    throw std::invalid_argument(fmt::format("cost formula: {} values for {} variables", values.size(), c.names.size()));
  const std::lock_guard lock(c.mutex);
  std::copy(values.begin(), values.end(), c.slots.begin());
  try {
    return c.parser.Eval();
  } catch (const mu::Parser::exception_type& e) {
    throw std::invalid_argument(fmt::format("cost formula '{}': {}", c.parser.GetExpr(), e.GetMsg()));
  }
}

const std::vector<std::string>& CostFormula::variables() const { return compiled_->names; }

}  // namespace rungs::fidelity
