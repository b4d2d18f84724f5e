#pragma once
// Every trial a scheduler has handed out, with its state and its value at each rung: the
// scheduler's own bookkeeping, and the read-only view for status and progress displays.
//
// Ids are assigned 1, 2, 3, ... in hand-out order (0 is never a trial), unique across brackets.
#include <cstddef>
#include <vector>

#include "scheduler/scheduler.hpp"
#include "space/config.hpp"

namespace rungs::scheduler {

struct TrialInfo {
  TrialId id = 0;
  space::Config config;
  std::size_t bracket = 0;      // the scheduler's bracket number (Job::bracket)
  std::size_t first_level = 0;  // ladder level of its first run
  std::size_t level = 0;        // ladder level of its current (Running) or last run
  TrialState state = TrialState::Running;
  // One entry per run ended: the value the run ended with (to minimize; NaN when it reported
  // nothing, whatever it reported if it failed). For the bracket schedulers, whose runs go up
  // one level at a time, entry i is at level first_level + i; freeze_thaw's leaps skip levels.
  std::vector<double> values;

  // The value at a ladder level, for runs one level at a time (above); NaN when it has none
  // there (or reported none).
  double value_at(std::size_t ladder_level) const;
  // Runs ended so far (one level at a time: the last ended at first_level + runs_ended() - 1).
  std::size_t runs_ended() const { return values.size(); }
};

class TrialTable {
 public:
  // Registers a new trial, Running at `level`; returns its id (1, 2, 3, ...).
  TrialId add(space::Config config, std::size_t bracket, std::size_t level);

  bool contains(TrialId id) const { return id >= 1 && id <= trials_.size(); }
  // Throw std::out_of_range("unknown trial id 42 ...") for ids never handed out.
  const TrialInfo& at(TrialId id) const;
  TrialInfo& at(TrialId id);

  // All trials, in id order.
  const std::vector<TrialInfo>& all() const { return trials_; }
  std::size_t size() const { return trials_.size(); }
  std::size_t count(TrialState state) const;

 private:
  std::vector<TrialInfo> trials_;  // trials_[id - 1]
};

}  // namespace rungs::scheduler
