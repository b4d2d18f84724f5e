#pragma once
// What one run is given: the scheduler's budget level and, per budget dimension, its value.
#include <cstddef>
#include <map>
#include <string>

namespace rungs::fidelity {

struct Budget {
  std::size_t level = 0;  // 0 = smallest rung; the scheduler only reasons in levels and units
  double units = 0;       // scheduler budget units at this level: min_budget * eta^level
  std::map<std::string, double> values;  // per dimension, e.g. {"epochs": 9, "data_fraction": 0.5}
};

}  // namespace rungs::fidelity
