#pragma once
// What a run at a budget point costs, in one number the scheduler can size brackets with and
// the campaign can charge (run_cost.hpp). Three models:
//
//  - Product (the default of campaign files): a run at budget point x costs
//        cost(x) = max_units * prod_d rel_d(x_d),   rel_d(v) = (v / v_d^top)^p_d
//    with v_d^top the dimension's value at the top level and p_d its cost_power (default 1;
//    2 for an image side length, whose pixel count grows with its square). A Custom dimension
//    gives its own rel_d. The top level costs max_units, so costs read in the units of
//    budget.max: with epochs 1..27 as the only dimension, cost = epochs. Example, epochs
//    1..27 x data fraction 0.25..1 x resolution 7..28 px (p = 2), level 0:
//        27 * (1/27) * 0.25 * (7/28)^2 = 0.015625.
//    Without dimensions the product is empty and the cost is the level's units.
//  - Units: cost(x) = the level's scheduler units, max_units * eta^(level - s_max): the
//    accounting of the Hyperband paper (Li et al., JMLR 2018), where a budget unit is the
//    cost. The default of a BudgetLadder built in C++ (so code written before cost models
//    keeps its brackets), and `cost: units` in YAML.
//  - Formula: a user expression over the dimensions' names, `units` and `level`, evaluated
//    with muParser: `cost: "epochs * data_fraction * (resolution / 28)^2"`. Its scale is the
//    user's. It must be finite and >= 0 at every level, positive at the top, and must not
//    decrease from one level to the next (the ladder checks).
#include <memory>
#include <string>
#include <vector>

#include "fidelity/dimension.hpp"

namespace rungs::fidelity {

class CostModel {
 public:
  enum class Kind { Units, Product, Formula };

  static CostModel units() { return CostModel(Kind::Units, ""); }
  static CostModel product() { return CostModel(Kind::Product, ""); }
  static CostModel formula(std::string expression) { return CostModel(Kind::Formula, std::move(expression)); }

  Kind kind() const { return kind_; }
  const std::string& expression() const { return expression_; }  // Formula only
  std::string describe() const;  // "units", "product", or the expression

 private:
  CostModel(Kind kind, std::string expression) : kind_(kind), expression_(std::move(expression)) {}
  Kind kind_;
  std::string expression_;
};

// rel_d(value) of the product model: a Custom dimension's relative_cost(value, top), else
// (value / top)^cost_power (1 when cost_power is 0). Throws std::invalid_argument when the
// factor is not finite and >= 0 (e.g. top = 0 with a positive power).
double relative_cost(const Dimension& dimension, double value, double top);

// A compiled cost formula. Copies share the compiled expression (muParser binds variables by
// address, so the parser is never copied); evaluation is serialised by a mutex, so copies may
// be used from several threads.
class CostFormula {
 public:
  // Compiles `expression` over `variables` (names usable in it). Throws std::invalid_argument
  // with muParser's message and the position for a syntax error or an unknown name.
  CostFormula(const std::string& expression, std::vector<std::string> variables);
  // The value with variables[i] = values[i]. Throws std::invalid_argument on a size mismatch
  // or an evaluation error.
  double operator()(const std::vector<double>& values) const;
  const std::vector<std::string>& variables() const;

 private:
  struct Compiled;
  std::shared_ptr<Compiled> compiled_;
};

}  // namespace rungs::fidelity
