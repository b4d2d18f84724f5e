// What the progress line shows, from the dispatcher's counters (kept up to date on events,
// never a scan of all trials), and the timer that refreshes it.
#include "campaign/dispatcher.hpp"

#include <chrono>

namespace rungs::campaign {

ProgressSnapshot Dispatcher::snapshot() const {
  ProgressSnapshot s;
  s.elapsed = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(now()));
  s.running = active_.size();
  // The states as last recorded: sync_states() records every change after each run's end.
  s.waiting = trials_.count(scheduler::TrialState::Waiting);
  s.completed = trials_.count(scheduler::TrialState::Completed);
  s.stopped = trials_.count(scheduler::TrialState::Stopped);
  s.failed = trials_.count(scheduler::TrialState::Failed);
  s.trial_limit = limits_.trials;
  s.budget_used = budget_used_;
  s.budget_done = budget_done_;
  s.units_done = units_done_;
  s.budget_planned = limits_.budget;
  s.units_limit = limits_.units;
  s.cost_limit = bounds_.limits.cost;  // in effect: a grown campaign's once it grew
  s.wall_limit = bounds_.limits.wall;
  if (bounds_.limits.trials && (!s.trial_limit || *bounds_.limits.trials < *s.trial_limit)) s.trial_limit = bounds_.limits.trials;
  s.metric = spec_.metric.name;
  if (best_) s.best = best_->value, s.best_trial = best_->trial;
  return s;
}

void Dispatcher::tick() {
  if (options_.progress && !journal_.replaying()) options_.progress->update(snapshot());
  ticker_.expires_after(options_.progress_interval);
  ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec && !finished_) tick();
  });
}

}  // namespace rungs::campaign
