#pragma once
// SIGINT and SIGTERM end a watch (`rungs status --watch`, `rungs report --watch`) instead of
// the process: the watch notices at its next tick and returns. The handlers as they were are
// put back when this goes. One at a time per process (the flag is global, as signals are).
#include <signal.h>

#include <csignal>

namespace rungs::report {

namespace detail {
inline volatile std::sig_atomic_t stop_requested = 0;
inline void request_stop(int) { stop_requested = 1; }
}  // namespace detail

class StopSignals {
 public:
  StopSignals() {
    detail::stop_requested = 0;
    struct sigaction action {};
    action.sa_handler = detail::request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  bool requested() const { return detail::stop_requested != 0; }

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace rungs::report
