#include "scheduler/incumbent.hpp"

#include <cmath>

namespace rungs::scheduler {

bool counts_for_incumbent(const RunResult& result) {
  return !result.stopped_early && !result.failed && result.feasible && std::isfinite(result.value);
}

bool outranks(const RunResult& challenger, const RunResult& incumbent) {
  if (challenger.level != incumbent.level) return challenger.level > incumbent.level;
  return challenger.value < incumbent.value;  // a tie keeps the incumbent
}

bool Incumbent::offer(const RunResult& result) {
  if (!counts_for_incumbent(result)) return false;
  if (best_ && !outranks(result, *best_)) return false;
  best_ = result;
  return true;
}

}  // namespace rungs::scheduler
