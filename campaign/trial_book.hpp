#pragma once
// What the campaign loop remembers of each trial: the rows of the store's `trials` table
// (TrialRow), the repeat filter of its reports, and which scheduler state was last recorded
// for it.
//
// The loop opens a trial's record for every run it launches (open()), notes its reports and
// failures in it, and after every run's end asks which trials' scheduler state changed
// (changed_states(): a run's end can change other trials too, e.g. a completed rung stops
// its losers). Only unsettled trials are checked then (not yet recorded as completed,
// stopped or failed): the work per event does not grow with the number of finished trials.
// A settled trial that is launched again (set_state(Running)) is watched again.
#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "campaign/repeat_filter.hpp"
#include "store/store.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

struct TrialRecord {
  space::Config config;
  std::size_t bracket = 0;
  std::size_t level = 0;                  // of its latest run
  std::map<std::size_t, double> values;   // per level, in the metric's direction
  std::optional<double> last_value;       // in the metric's direction
  std::optional<double> last_step;
  std::string last_failure;
  std::optional<scheduler::TrialState> state;  // as last written to the store
  RepeatFilter repeats;                   // the reports recorded since it last started from scratch
  bool retrain_warned = false;            // warned that it ignored RUNGS_RESUME (retrain_check.hpp)
  // The latest value of each constrained metric it reported, any run (NaN: never), and
  // whether it was warned that one is missing (once per trial).
  std::vector<double> constraint_values;
  bool constraint_warned = false;
};

class TrialBook {
 public:
  // `ladder` gives a row's budget point; it must outlive the book.
  explicit TrialBook(const fidelity::BudgetLadder& ladder) : ladder_(ladder) {}

  // A run of `job` is launched: its trial's record (new or not), updated to the job. A run
  // that starts from scratch clears the repeat filter.
  TrialRecord& open(const scheduler::Job& job);
  // Throws std::out_of_range for a trial never opened.
  TrialRecord& at(scheduler::TrialId trial) { return trials_.at(trial); }
  const TrialRecord& at(scheduler::TrialId trial) const { return trials_.at(trial); }

  // The state about to be written for `trial`.
  void set_state(scheduler::TrialId trial, scheduler::TrialState state);
  // The trials whose state in `scheduler` differs from the one recorded, in id order, with
  // their new state: the unsettled ones, or every one with `all` (at the campaign's end).
  std::vector<std::pair<scheduler::TrialId, scheduler::TrialState>> changed_states(
      const scheduler::Scheduler& scheduler, bool all) const;

  // The trial's row as of campaign second `now`.
  store::TrialRow row(scheduler::TrialId trial, double now) const;

  // How many trials were last recorded in `state`: kept on every set_state(), so the
  // progress line's counts cost nothing per tick however many trials the campaign has.
  std::size_t count(scheduler::TrialState state) const { return counts_.at(static_cast<std::size_t>(state)); }

  // Trials by id, for totals.
  const std::map<scheduler::TrialId, TrialRecord>& trials() const { return trials_; }

 private:
  static bool is_settled(scheduler::TrialState state);

  const fidelity::BudgetLadder& ladder_;
  std::map<scheduler::TrialId, TrialRecord> trials_;
  std::set<scheduler::TrialId> unsettled_;
  std::array<std::size_t, 5> counts_{};  // by scheduler::TrialState
};

}  // namespace rungs::campaign
