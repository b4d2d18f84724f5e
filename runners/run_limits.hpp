#pragma once
// The accounting behind LaunchSpec::timeout and LaunchSpec::heartbeat: both count running
// time only, so a pause freezes them and a resume continues them with what they had left.
// Pure: every call takes the current time; the runner owns the timers and asks this class
// when they should fire and whether a firing counts. Unit-tested with made-up time points in
// tests/runners/run_limits_test.cpp.
//
// Heartbeat: a line only stores its arrival time (one clock read per line); the runner arms
// one timer for heartbeat_deadline() and, when it fires, asks stale_for(): if a line came
// since, it re-arms for the new deadline. So a chatty trial costs no timer re-arm per line.
// A line read while paused was printed before the pause: the silence as of the pause is none
// (the run resumes with its whole window).
//
// Usage by the runner, always in this order of states: running -> pause() -> paused ->
// resume() -> running ...; pause() while paused and resume() while running are no-ops.
#include <chrono>
#include <optional>

namespace rungs::runners {

class RunLimits {
 public:
  using Clock = std::chrono::steady_clock;

  // A zero or negative timeout / heartbeat means none. `now`: the launch.
  RunLimits(Clock::duration timeout, Clock::duration heartbeat, Clock::time_point now);

  bool has_timeout() const { return has_timeout_; }
  bool has_heartbeat() const { return has_heartbeat_; }
  bool paused() const { return paused_; }
  Clock::duration heartbeat() const { return heartbeat_; }

  // While running: when the timeout runs out, when the current silence window ends.
  Clock::time_point timeout_deadline() const { return timeout_deadline_; }
  Clock::time_point heartbeat_deadline() const { return last_output_ + heartbeat_; }

  void line(Clock::time_point now);
  void pause(Clock::time_point now);
  void resume(Clock::time_point now);

  // While running: the silence so far if it has reached the heartbeat, else nothing (a line
  // came since the window was armed: re-arm for heartbeat_deadline()).
  std::optional<Clock::duration> stale_for(Clock::time_point now) const;

 private:
  bool has_timeout_ = false;
  bool has_heartbeat_ = false;
  bool paused_ = false;
  Clock::duration heartbeat_{0};
  Clock::time_point timeout_deadline_;    // while running
  Clock::duration timeout_left_{0};       // while paused: the running time it has left
  Clock::time_point last_output_;         // while running: launch, or the last line
  Clock::duration silence_at_pause_{0};   // while paused: the silence it had run up
};

}  // namespace rungs::runners
