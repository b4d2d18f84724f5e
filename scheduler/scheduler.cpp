#include "scheduler/scheduler.hpp"

namespace rungs::scheduler {

const char* to_string(TrialState state) {
  switch (state) {
    case TrialState::Running: return "running";
    case TrialState::Waiting: return "waiting";
    case TrialState::Stopped: return "stopped";
    case TrialState::Completed: return "completed";
    case TrialState::Failed: return "failed";
  }
  return "unknown";
}

}  // namespace rungs::scheduler
