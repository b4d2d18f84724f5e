#include "campaign/trial_book.hpp"

#include "campaign/trial_launch.hpp"
#include "fidelity/run_cost.hpp"

namespace rungs::campaign {

static_assert(static_cast<std::size_t>(scheduler::TrialState::Failed) == 4, "TrialBook::counts_ has one slot per state");

TrialRecord& TrialBook::open(const scheduler::Job& job) {
  auto& record = trials_[job.trial];
  if (!record.state || !is_settled(*record.state)) unsettled_.insert(job.trial);
  // Started from scratch, its steps count from the start: nothing it prints repeats.
  if (fidelity::run_start(ladder_, job.budget, job.resume_from) != fidelity::RunStart::Resume) record.repeats.clear();
  record.config = job.config;
  record.bracket = job.bracket;
  record.level = job.budget.level;
  return record;
}

void TrialBook::set_state(scheduler::TrialId trial, scheduler::TrialState state) {
  auto& recorded = trials_.at(trial).state;
  if (recorded) --counts_.at(static_cast<std::size_t>(*recorded));
  ++counts_.at(static_cast<std::size_t>(state));
  recorded = state;
  if (is_settled(state)) unsettled_.erase(trial);
  else unsettled_.insert(trial);
}

std::vector<std::pair<scheduler::TrialId, scheduler::TrialState>> TrialBook::changed_states(
    const scheduler::Scheduler& scheduler, bool all) const {
  std::vector<std::pair<scheduler::TrialId, scheduler::TrialState>> changed;
  const auto check = [&](scheduler::TrialId id, const TrialRecord& record) {
    const auto state = scheduler.state(id);
    if (record.state != state) changed.emplace_back(id, state);
  };
  if (all)
    for (const auto& [id, record] : trials_) check(id, record);
  else
    for (const auto id : unsettled_) check(id, trials_.at(id));
  return changed;
}

store::TrialRow TrialBook::row(scheduler::TrialId trial, double now) const {
  const auto& record = trials_.at(trial);
  store::TrialRow row;
  row.trial = static_cast<std::int64_t>(trial);
  row.bracket = static_cast<std::int64_t>(record.bracket);
  row.params = to_json(record.config);
  row.state = record.state ? scheduler::to_string(*record.state) : "";
  row.level = static_cast<std::int64_t>(record.level);
  row.budget = to_json(ladder_, ladder_.at(record.level));
  row.last_value = record.last_value;
  row.last_step = record.last_step;
  for (const auto& [level, value] : record.values) row.values_by_level[std::to_string(level)] = value;
  if (!record.last_failure.empty()) row.failure = record.last_failure;
  row.updated = now;
  return row;
}

bool TrialBook::is_settled(scheduler::TrialState state) {
  using scheduler::TrialState;
  return state == TrialState::Completed || state == TrialState::Failed || state == TrialState::Stopped;
}

}  // namespace rungs::campaign
