#pragma once
// The incumbent: the best result a campaign has so far. One rule, used by the campaign loop
// (best.json and the progress line), the ask/tell Study and the report's snapshot, so that
// all three always name the same trial.
//
// The rule, over the runs that ended, in the order they ended:
//  - only a run that reached its budget counts: one stopped early (a scheduler decision or a
//    stopping rule) never trained to its budget, so its last value is not the value there;
//    a failed run and a non-finite value never count;
//  - an infeasible run (a constraint violated, or a constrained metric never reported) never
//    counts: the reported best always satisfies the constraints;
//  - a result at a higher budget level beats any result at a lower one (a low-fidelity value
//    is cheaper to get lucky on, and not the quantity being optimized);
//  - at the same level the better value wins; on a tie the earlier run stays the incumbent
//    (so replaying the same events always names the same trial).
// Values are in the metric's minimized form (MetricSpec::to_minimize): smaller is better.
#include <cstddef>
#include <optional>

#include "scheduler/scheduler.hpp"

namespace rungs::scheduler {

// A run's end, as far as the incumbent is concerned.
struct RunResult {
  TrialId trial = 0;
  std::size_t level = 0;      // budget level of the run
  double value = 0;           // minimized; NaN or inf when missing
  bool stopped_early = false; // ended by a stop decision before reaching its budget
  bool failed = false;
  bool feasible = true;       // every constraint held at its last report
};

// True if `result` may become the incumbent at all (reached its budget, finite, not failed,
// feasible).
bool counts_for_incumbent(const RunResult& result);

// True if `challenger` displaces `incumbent` (both must count).
bool outranks(const RunResult& challenger, const RunResult& incumbent);

class Incumbent {
 public:
  // Offers a run's end, in the order runs end. Returns true if it became the incumbent.
  bool offer(const RunResult& result);
  const std::optional<RunResult>& best() const { return best_; }

 private:
  std::optional<RunResult> best_;
};

}  // namespace rungs::scheduler
