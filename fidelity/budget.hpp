#pragma once
// What one run is given: the scheduler's budget level and, per budget dimension, its value.
#include <cstddef>
#include <map>
#include <string>

namespace rungs::fidelity {

// A budget point: every dimension's value at one level. The level determines the point (each
// dimension maps levels to values), so "level k" and "the point at level k" are the same thing.
struct Budget {
  std::size_t level = 0;  // 0 = smallest rung; the scheduler only reasons in levels and units
  double units = 0;       // scheduler budget units at this level: min_budget * eta^level
  std::map<std::string, double> values;  // per dimension, e.g. {"epochs": 9, "data_fraction": 0.5}
  double cost = 0;        // a fresh run's cost at this point under the ladder's cost model (cost_model.hpp)
};

}  // namespace rungs::fidelity
