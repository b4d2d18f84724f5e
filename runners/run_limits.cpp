#include "runners/run_limits.hpp"

#include <algorithm>

namespace rungs::runners {

RunLimits::RunLimits(Clock::duration timeout, Clock::duration heartbeat, Clock::time_point now)
    : has_timeout_(timeout > Clock::duration::zero()),
      has_heartbeat_(heartbeat > Clock::duration::zero()),
      heartbeat_(has_heartbeat_ ? heartbeat : Clock::duration::zero()),
      timeout_deadline_(now + (has_timeout_ ? timeout : Clock::duration::zero())),
      last_output_(now) {}  // the first window counts from launch

void RunLimits::line(Clock::time_point now) {
  if (paused_) {
    silence_at_pause_ = Clock::duration::zero();
  } else {
    last_output_ = now;
  }
}

void RunLimits::pause(Clock::time_point now) {
  if (paused_) {
    return;
  }
  paused_ = true;
  timeout_left_ = std::max(Clock::duration::zero(), timeout_deadline_ - now);
  silence_at_pause_ = std::max(Clock::duration::zero(), now - last_output_);
}

void RunLimits::resume(Clock::time_point now) {
  if (!paused_) {
    return;
  }
  paused_ = false;
  // 0 left (it ran out just as it was paused): the deadline is now.
  timeout_deadline_ = now + timeout_left_;
  // The silence goes on from where the pause froze it.
  last_output_ = now - silence_at_pause_;
}

std::optional<RunLimits::Clock::duration> RunLimits::stale_for(Clock::time_point now) const {
  if (!has_heartbeat_ || paused_) {
    return std::nullopt;
  }
  const auto silent = now - last_output_;
  if (silent < heartbeat_) {
    return std::nullopt;
  }
  return silent;
}

}  // namespace rungs::runners
