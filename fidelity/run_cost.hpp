#pragma once
// How a run starts and what it is charged, given the budget it runs at and, for a promoted
// trial, the budget it already trained (scheduler::Job::budget and Job::resume_from).
//
//   run_start:  New     no resumed_from: a fresh trial
//               Rerun   promoted, and a Growth::Fixed dimension without warm_start changed
//                       value (more data, larger images): the run starts over at the new
//                       value in the same trial directory; RUNGS_RESUME=0
//               Resume  promoted otherwise: the run continues from its checkpoint (Continued
//                       dimensions go on; warm_start Fixed dimensions take the new value);
//                       RUNGS_RESUME=1
//
//   run_cost:   New, Rerun   cost(budget)                                (the full point)
//               Resume       max(0, cost(budget) - cost(resumed point))
//                            where the resumed point is `budget` with every Continued
//                            dimension (and the units and level) at resumed_from's values:
//                            the work the checkpoint already holds, priced at the new values
//                            of the warm-started Fixed dimensions.
//                            Without a Continued dimension nothing measurable carries over and
//                            a resumed run is charged cost(budget) in full.
//
// cost() is the ladder's cost model (cost_model.hpp). Example, product model, epochs 1..27
// continued x data fraction (warm_start) x resolution (p = 2, rerun), top cost 27:
//   epochs 3 -> 9, fraction 0.5 -> 1, resolution 28 -> 28:  Resume, 9*1*1 - 3*1*1 = 6
//   epochs 3 -> 9, fraction 1 -> 1, resolution 14 -> 28:    Rerun,  9*1*1         = 9
#include <optional>

#include "fidelity/budget.hpp"
#include "fidelity/ladder.hpp"

namespace rungs::fidelity {

enum class RunStart { New, Resume, Rerun };

const char* to_string(RunStart start);  // "new", "resume", "rerun"

RunStart run_start(const BudgetLadder& ladder, const Budget& budget, const std::optional<Budget>& resumed_from);

// What a run costs under the ladder's cost model (see above). The campaign loop charges this
// for every run it launches. Throws std::out_of_range when a budget lacks a dimension's value.
double run_cost(const BudgetLadder& ladder, const Budget& budget, const std::optional<Budget>& resumed_from);

// What a run ended early (a stopping rule, ASHA's stopping mode) is charged: run_cost in
// proportion to the steps it trained,
//   trained_cost = run_cost x clamp((step - s0) / (s1 - s0), 0, 1)
// where steps count the ladder's first Continued dimension (scheduler/milestones.hpp; the
// units without one), s1 is the budget's value of it and s0 the value the run started from
// (resumed_from's for a RunStart::Resume with a Continued dimension, else 0). Exact when the
// cost grows linearly along that dimension (the product model with epochs' cost_power 1).
double trained_cost(const BudgetLadder& ladder, const Budget& budget, const std::optional<Budget>& resumed_from,
                    double step);

}  // namespace rungs::fidelity
