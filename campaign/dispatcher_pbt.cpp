// The checkpoints of population-based training (scheduler/pbt.hpp): a run handed out with
// keep_checkpoint has its checkpoint kept at its end, and a trial that inherits gets its
// donor's kept checkpoint copied in before its first run (checkpoint_copy.hpp). The launch
// event of such a trial records the inheritance (pbt_record.hpp, store/lineage.hpp): the lineage and the
// schedule are read back from it.
#include <fmt/format.h>

#include "campaign/checkpoint_copy.hpp"
#include "campaign/dispatcher.hpp"
#include "campaign/pbt_record.hpp"
#include "campaign/trial_launch.hpp"

namespace rungs::campaign {

store::Event Dispatcher::launch_event(const ActiveRun& run) const {
  auto event = events_.launch(now(), run);
  if (const auto& inherits = run.job.inherits)
    event.data["inherits"] = inheritance_record(spec_, run.job, trials_.at(inherits->donor).config,
                                                trials_.at(inherits->replaced).config);
  return event;
}

void Dispatcher::inherit(ActiveRun& run) {
  const auto& inherits = *run.job.inherits;
  auto record = inheritance_record(spec_, run.job, trials_.at(inherits.donor).config,
                                   trials_.at(inherits.replaced).config);
  record["trial"] = run.job.trial;
  const auto failure = inherit_checkpoint(trial_directory(options_.output, inherits.donor), run.job.resume_from->level,
                                          run.trial_dir, record);
  if (failure) warn(run.job.trial, run.run_number, fmt::format("trial {}: {}", run.job.trial, *failure));
}

void Dispatcher::keep(ActiveRun& run) {
  if (const auto failure = keep_checkpoint(run.trial_dir, run.job.budget.level))
    warn(run.job.trial, run.run_number, fmt::format("trial {}: {}", run.job.trial, *failure));
}

}  // namespace rungs::campaign
