#pragma once
// The trial protocol, checked: a promoted run told to resume (RUNGS_RESUME=1) should load its
// checkpoint and report the steps after it. One whose first report is at a step its trial had
// already reported (at or below the last step of its previous run) trained again from the
// start: it ignored RUNGS_RESUME. The campaign loop then warns once per trial and charges the
// run what a fresh run at its budget costs, the work it really did, instead of the increment
// (fidelity/run_cost.hpp). Pure.
//
// Only a run's first report with a step is judged, and only of a run that was neither
// relaunched nor retried: those are told RUNGS_RELAUNCH=1 and report their checkpoint's step
// again by design (the repeat filter drops those lines).
#include <optional>

#include "fidelity/ladder.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

// True if `job` resumes from a checkpoint (fidelity::RunStart::Resume with a Continued
// dimension: only then is it charged less than a fresh run) and `first_step`, its first
// reported step, is at or below `previous_step`, the last step its trial reported before.
bool retrains_from_start(const fidelity::BudgetLadder& ladder, const scheduler::Job& job, double first_step,
                         std::optional<double> previous_step);

// What such a run is charged: a fresh run at its budget.
double retrained_cost(const fidelity::BudgetLadder& ladder, const scheduler::Job& job);

}  // namespace rungs::campaign
