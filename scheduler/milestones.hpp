#pragma once
// Rung milestones: where, in a run's own progress (Report::step), each budget level is reached.
//
// The stopping variant of ASHA (asha_bracket.hpp) launches a trial once at the top budget and
// judges it when its reports pass each rung's milestone; the learning-curve extrapolation rule
// predicts the value at the top milestone. Both need the levels expressed in report steps:
//
//   milestone(k) = value of the ladder's Growth::Continued dimension at level k  (e.g. epochs
//                  1, 3, 9, 27), the dimension a run's steps count;
//                = units(k) = max_units * eta^(k - s_max) when the ladder has no continued
//                  dimension (then trials are expected to report steps in budget units).
// With several continued dimensions the first one (in declaration order) is used.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "fidelity/ladder.hpp"

namespace rungs::scheduler {

// The name of the dimension whose values are the milestones; nullopt when units are used.
std::optional<std::string> milestone_dimension(const fidelity::BudgetLadder& ladder);

// milestone(k) for k = 0..s_max, non-decreasing.
std::vector<double> rung_milestones(const fidelity::BudgetLadder& ladder);

// The top level's milestone: the step of a run's final value (e.g. 27 epochs).
double final_milestone(const fidelity::BudgetLadder& ladder);

}  // namespace rungs::scheduler
