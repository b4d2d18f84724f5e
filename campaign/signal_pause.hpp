#pragma once
// pause: signal, as far as budgets go. A trial's process is launched for the whole of its
// continued dimension (epochs) and pauses itself at its run's rung: the campaign loop ends
// the run when a report reaches pause_step() and keeps the process (trial_processes.hpp); a
// promotion continues it when nothing but the continued dimension changes. Pure.
#include <optional>

#include "campaign/campaign_spec.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

// What the trial process is launched with: under pause: signal, the job with its continued
// dimension at the ladder's top (it pauses at the run's own value, see pause_step); else the
// job as it is.
scheduler::Job launched_job(const CampaignSpec& spec, const scheduler::Job& job);

// The step at which a run of `job` pauses under pause: signal; none at the top level or
// without pause: signal (or without a continued dimension).
std::optional<double> pause_step(const CampaignSpec& spec, const scheduler::Job& job);

// True if a process kept paused after a run at `paused` can go on as a run at `next`: only
// the continued dimension changes. Otherwise (more data, larger images) the run relaunches
// from the trial's checkpoint.
bool continues_paused(const fidelity::BudgetLadder& ladder, const fidelity::Budget& paused,
                      const fidelity::Budget& next);

}  // namespace rungs::campaign
