#pragma once
// Every synthetic problem by name, for benchmarks (--problems), tests and `synthetic-trial
// --problem NAME`:
//
//   counting_ones_8    Counting Ones, 4 categorical + 4 continuous   optimum -8
//   counting_ones_16   Counting Ones, 8 categorical + 8 continuous   optimum -16
//   branin             augmented Branin, fidelity s                  optimum 0.397887
//   hartmann6          augmented Hartmann-6, fidelity s              optimum -3.32237
//
// The problems are built once, on first use (thread-safe), and live until the program ends.
#include <string>
#include <string_view>
#include <vector>

#include "problems/problem.hpp"

namespace rungs::problems {

// In the order above.
const std::vector<Problem>& all();

// Throws std::invalid_argument naming the known problems when `name` is not one of them.
const Problem& by_name(std::string_view name);

// The names, in the order above.
std::vector<std::string> names();

}  // namespace rungs::problems
