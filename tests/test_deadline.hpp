#pragma once
// Deadlines for tests that wait on real processes, timers or threads.
//
// A deadline in a test only guards against a hang: when the code works, the wait ends as soon
// as its condition holds, so a generous deadline costs nothing. It must never be what fails a
// test on a slow or loaded machine (2 shared cores at load 8 make a 5 s wait take 30 s).
// So every wait goes through deadline(): the typical time the wait takes on an idle machine,
// multiplied by RUNGS_TEST_TIME_FACTOR (default 10; set it higher under valgrind or sanitizers).
//
// Not for "let this much time pass" waits (they assert that nothing happens meanwhile) and
// not for elapsed-time assertions: those belong in bench/ or are one-sided (a lower bound
// that a busy machine cannot break, such as "the timeout did not fire early").
#include <chrono>
#include <cstdlib>

namespace rungs::testing {

inline double time_factor() {
  static const double factor = [] {
    const char* text = std::getenv("RUNGS_TEST_TIME_FACTOR");
    if (text == nullptr) {
      return 10.0;
    }
    char* end = nullptr;
    const double value = std::strtod(text, &end);
    return end != text && value > 0 ? value : 10.0;
  }();
  return factor;
}

// `typical` scaled by the factor: the longest a wait may take before the test calls it a hang.
inline std::chrono::milliseconds deadline(std::chrono::milliseconds typical) {
  return std::chrono::milliseconds(
      static_cast<std::chrono::milliseconds::rep>(static_cast<double>(typical.count()) * time_factor()));
}

}  // namespace rungs::testing
