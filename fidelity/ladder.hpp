#pragma once
// The budget ladder: the scheduler's discrete budget levels, what each level means in every
// budget dimension (dimension.hpp), and what a run at each level costs (cost_model.hpp).
//
// Levels follow Hyperband (Li et al., JMLR 2018): with R = max_units / min_units and
// s_max = floor(log_eta R), level k in 0..s_max has units(k) = max_units * eta^(k - s_max)
// (the HpBandSter convention: the top level is exactly max_units).
// Each dimension maps a level to a value, either geometrically between its min and max,
//   value(k) = min * (max / min)^(k / s_max)      (rounded for integer dimensions),
// from a list with one value per level, or by its Custom kind's value(k, s_max).
//
// Linear spacing (`step`, for schedulers that advance runs a little at a time, such as
// freeze-thaw, scheduler/freeze_thaw.hpp): levels k in 0..s_max with s_max = (max - min) / step
// (a whole number), units(k) = min + k * step, and each geometric dimension maps linearly,
//   value(k) = min + (max - min) * k / s_max            (rounded for integer dimensions),
// e.g. min 2, max 52, step 2: 26 levels of 2, 4, ..., 52 epochs. eta stays what the
// bracket schedulers read; the levels no longer follow it.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fidelity/budget.hpp"
#include "fidelity/cost_model.hpp"
#include "fidelity/dimension.hpp"

namespace rungs::fidelity {

class BudgetLadder {
 public:
  // Throws std::invalid_argument naming the bad setting (eta <= 1, min >= max, a list with
  // the wrong number of values, a geometric range with min <= 0, values that decrease, two
  // dimensions with one name, a cost formula that does not parse, a cost that is negative,
  // not finite, zero at the top level or decreasing from one level to the next, ...).
  // The default cost model is Units (the paper's accounting); campaign files default to Product.
  // `step`: linear spacing (above); throws when (max - min) / step is not a whole number >= 1.
  BudgetLadder(double min_units, double max_units, double eta, std::vector<Dimension> dimensions,
               CostModel cost_model = CostModel::units(), std::optional<double> step = std::nullopt);
  BudgetLadder() : BudgetLadder(1, 1, 3, {}) {}  // one level, no dimensions

  std::size_t levels() const { return s_max_ + 1; }
  std::size_t s_max() const { return s_max_; }
  double eta() const { return eta_; }
  double min_units() const { return min_units_; }
  double max_units() const { return max_units_; }
  // Linear spacing's step; nullopt for Hyperband's geometric levels.
  std::optional<double> step() const { return step_; }
  const std::vector<Dimension>& dimensions() const { return dimensions_; }
  const Dimension* dimension(const std::string& name) const;  // nullptr if none
  bool has_continued() const;  // some dimension is Growth::Continued (epochs-like)

  // The budget at a level; throws std::out_of_range beyond the top level.
  const Budget& at(std::size_t level) const { return budgets_.at(level); }

  const CostModel& cost_model() const { return cost_model_; }
  // Budget::cost of every level, smallest first: what a fresh run at that level costs.
  std::vector<double> level_costs() const;
  // The cost model at any point (not only a level's): values for every dimension, the units
  // and level (used by Units and by formulas). run_cost.hpp prices resumed runs with it.
  double point_cost(const Budget& point) const;

 private:
  double min_units_;
  double max_units_;
  double eta_;
  std::optional<double> step_;
  std::size_t s_max_;
  std::vector<Dimension> dimensions_;
  CostModel cost_model_;
  std::optional<CostFormula> formula_;  // compiled, for CostModel::Kind::Formula
  std::vector<Budget> budgets_;
};

// s_max = floor(log_eta(R)), robust to rounding (log_3(27) must give 3, not 2.9999).
std::size_t max_bracket_index(double ratio, double eta);

}  // namespace rungs::fidelity
