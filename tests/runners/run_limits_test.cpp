// RunLimits: timeout and heartbeat count running time only, with made-up time points (the real
// timers are exercised in local_runner_test.cpp, where only lower bounds are safe to check).
#include <doctest/doctest.h>

#include <chrono>

#include "runners/run_limits.hpp"

using rungs::runners::RunLimits;
using namespace std::chrono_literals;
using Clock = RunLimits::Clock;

TEST_CASE("run limits: none, or armed from the launch") {
  const Clock::time_point t0{};
  const RunLimits none(0ms, -1ms, t0);
  CHECK_FALSE(none.has_timeout());
  CHECK_FALSE(none.has_heartbeat());
  CHECK_FALSE(none.stale_for(t0 + 100h).has_value());

  const RunLimits both(400ms, 1000ms, t0);
  CHECK(both.timeout_deadline() == t0 + 400ms);
  CHECK(both.heartbeat_deadline() == t0 + 1000ms);
  CHECK_FALSE(both.stale_for(t0 + 999ms).has_value());
  CHECK(both.stale_for(t0 + 1000ms) == Clock::duration(1000ms));
}

TEST_CASE("run limits: a line restarts the heartbeat window without touching the timeout") {
  const Clock::time_point t0{};
  RunLimits limits(10s, 600ms, t0);
  limits.line(t0 + 500ms);
  CHECK(limits.heartbeat_deadline() == t0 + 1100ms);
  CHECK_FALSE(limits.stale_for(t0 + 600ms).has_value());  // the timer armed at launch fires: re-arm
  CHECK(limits.stale_for(t0 + 1150ms) == Clock::duration(650ms));
  CHECK(limits.timeout_deadline() == t0 + 10s);
}

TEST_CASE("run limits: a pause freezes both, a resume continues with what was left") {
  const Clock::time_point t0{};
  RunLimits limits(400ms, 1000ms, t0);
  limits.pause(t0 + 300ms);
  CHECK(limits.paused());
  CHECK_FALSE(limits.stale_for(t0 + 5s).has_value());  // a paused run is never stale
  limits.pause(t0 + 2s);                               // a second pause changes nothing
  limits.resume(t0 + 1300ms);                          // 1 s paused
  CHECK_FALSE(limits.paused());
  CHECK(limits.timeout_deadline() == t0 + 1400ms);     // 100 ms of its 400 ms left
  CHECK(limits.heartbeat_deadline() == t0 + 2000ms);   // 700 ms of its window left
  // The silence is running time only: the second paused is not in it.
  CHECK(limits.stale_for(t0 + 2000ms) == Clock::duration(1000ms));
  limits.resume(t0 + 3s);  // not paused: no-op
  CHECK(limits.timeout_deadline() == t0 + 1400ms);
}

TEST_CASE("run limits: a limit that ran out as the run was paused ends it on resume") {
  const Clock::time_point t0{};
  RunLimits limits(400ms, 300ms, t0);
  limits.pause(t0 + 500ms);
  limits.resume(t0 + 2s);
  CHECK(limits.timeout_deadline() == t0 + 2s);  // nothing left: at once
  CHECK(limits.stale_for(t0 + 2s) == Clock::duration(500ms));
}

TEST_CASE("run limits: a line read while paused was printed before the pause") {
  const Clock::time_point t0{};
  RunLimits limits(0ms, 1000ms, t0);
  limits.pause(t0 + 800ms);  // 800 ms of silence so far
  limits.line(t0 + 900ms);   // still in the pipe: printed before the pause
  limits.resume(t0 + 5s);
  CHECK(limits.heartbeat_deadline() == t0 + 6s);  // the whole window again, from the resume
}
