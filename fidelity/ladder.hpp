#pragma once
// The budget ladder: the scheduler's discrete budget levels and what each level means in
// every budget dimension.
//
// Levels follow Hyperband (Li et al., JMLR 2018): with R = max_units / min_units and
// s_max = floor(log_eta R), level k in 0..s_max has units(k) = max_units * eta^(k - s_max)
// (the HpBandSter convention: the top level is exactly max_units).
// Each dimension maps a level to a value, either geometrically between its min and max,
//   value(k) = min * (max / min)^(k / s_max)      (rounded for integer dimensions),
// or from a list with one value per level.
#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "fidelity/budget.hpp"

namespace rungs::fidelity {

// How a dimension behaves when a trial is promoted to the next level.
enum class Growth {
  Continued,  // like epochs: the promoted run continues from its checkpoint up to the new value
  Fixed,      // like a data fraction: fixed within a run; a promotion runs again at the new value
};

struct Geometric {
  double min = 1;
  double max = 1;
};
struct Listed {
  std::vector<double> values;  // one per level, smallest level first
};

struct Dimension {
  std::string name;
  bool integer = false;
  Growth growth = Growth::Fixed;
  std::variant<Geometric, Listed> mapping = Geometric{};
};

class BudgetLadder {
 public:
  // Throws std::invalid_argument naming the bad setting (eta <= 1, min >= max, a list with
  // the wrong number of values, a geometric range with min <= 0, ...).
  BudgetLadder(double min_units, double max_units, double eta, std::vector<Dimension> dimensions);
  BudgetLadder() : BudgetLadder(1, 1, 3, {}) {}  // one level, no dimensions

  std::size_t levels() const { return s_max_ + 1; }
  std::size_t s_max() const { return s_max_; }
  double eta() const { return eta_; }
  double min_units() const { return min_units_; }
  double max_units() const { return max_units_; }
  const std::vector<Dimension>& dimensions() const { return dimensions_; }

  // The budget at a level; throws std::out_of_range beyond the top level.
  const Budget& at(std::size_t level) const { return budgets_.at(level); }

 private:
  double min_units_;
  double max_units_;
  double eta_;
  std::size_t s_max_;
  std::vector<Dimension> dimensions_;
  std::vector<Budget> budgets_;
};

// s_max = floor(log_eta(R)), robust to rounding (log_3(27) must give 3, not 2.9999).
std::size_t max_bracket_index(double ratio, double eta);

}  // namespace rungs::fidelity
