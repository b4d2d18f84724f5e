#pragma once
// LocalRunner: trials as child processes of rungs, all driven by one single-threaded
// boost::asio::io_context (Boost.Process v2 for fork/exec and reaping).
//
// What it guarantees, and why:
//  - No shell: argv goes to execve as given.
//  - Each trial leads its own process group, so stop() reaches everything it started
//    (data-loader workers, `sh -c` children): SIGTERM to the group, SIGKILL after the grace.
//  - No orphans: when the trial's main process exits (for whatever reason) the rest of its
//    group is SIGKILLed before the exit is reaped (the group id cannot be reused while the
//    main process is an unreaped zombie). The exit is confirmed with waitid(WNOWAIT) before
//    that kill (a pidfd wakeup alone is not trusted), and nothing is ever signalled after the
//    reap: rungs only signals the group of a live or zombie, unreaped trial leader of its own. This also guarantees stdout EOF when a grandchild
//    held the pipe. A trial that escapes its group (setsid) can still hold stdout: reading
//    then stops `drain_timeout` after the exit.
//  - LaunchSpec::heartbeat: one timer per run that is never touched by a line. A line only
//    stores its arrival time; when the timer fires it compares that time with the window
//    and, if a line came since, re-arms for the remainder. So a chatty trial costs one clock
//    read per line and one timer wakeup per heartbeat period, not a timer re-arm (a
//    cancellation and a reactor update) per line. Lines are timed when rungs reads them.
//  - pause() SIGSTOPs the whole group, resume() SIGCONTs it. A stopped leader is never taken
//    for an exited one: the exit checks wait for WEXITED only (no WUNTRACED/WSTOPPED, in
//    Boost.Process' waitpid calls either). stop() of a paused run sends SIGTERM then SIGCONT
//    (a stopped process handles the TERM once continued); SIGKILL, from the grace timer, the
//    exit of the leader or the destructor, ends stopped processes too, so no stopped process
//    outlives its run.
//  - PR_SET_PDEATHSIG(SIGKILL): trials die with rungs even if rungs is SIGKILLed. Linux ties
//    this to the *thread* that forked, so call launch() from the long-lived event-loop thread.
//  - The child starts clean: signal dispositions and mask reset (SIG_IGN and blocked signals
//    would otherwise survive exec), stdin is /dev/null, no inherited descriptors but 0/1/2.
//
// Requires Linux >= 5.3 (pidfd_open). Nothing here reaps children it did not start; rungs
// must not set SIGCHLD to SIG_IGN or call waitpid(-1) (exit statuses would be lost).
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "runners/runner.hpp"

namespace rungs::runners {

struct LocalRunnerOptions {
  // Searched after PATH for a program named without a '/' (e.g. the build's bin dir).
  std::vector<std::filesystem::path> program_dirs;
  // A stdout line longer than this is delivered truncated and the rest of it dropped
  // (protects memory from a progress bar that never prints a newline).
  std::size_t max_line_bytes = std::size_t{1} << 20;
  // After the trial's process group is gone, how long stdout may stay open (held by a
  // process that left the group) before the runner stops reading and reports the exit.
  std::chrono::milliseconds drain_timeout{2000};
  // Upper bound on how long the destructor waits for SIGKILLed trials to be reaped.
  std::chrono::milliseconds shutdown_timeout{3000};
};

class LocalRunner final : public Runner {
 public:
  explicit LocalRunner(boost::asio::io_context& io, LocalRunnerOptions options = {});
  // Destroy the runner before its io_context.
  // SIGKILLs every trial's process group and reaps the main processes synchronously
  // (bounded by shutdown_timeout). Pending callbacks are dropped, not called: the owner is
  // going away. For a graceful end, call stop_all() and run the io_context until
  // running() == 0 first.
  ~LocalRunner() override;

  LocalRunner(const LocalRunner&) = delete;
  LocalRunner& operator=(const LocalRunner&) = delete;

  RunId launch(LaunchSpec spec, RunCallbacks callbacks) override;
  void stop(RunId id) override;
  void stop_all() override;
  // SIGSTOP / SIGCONT to the run's process group (see Runner). The timeout and the heartbeat
  // are re-armed with the running time they had left. Lines that were already in the pipe
  // and arrive while the run is paused were printed before the pause: each one restarts the
  // window as of the pause (the run resumes with its whole heartbeat).
  bool pause(RunId id) override;
  bool resume(RunId id) override;
  std::size_t running() const override;

  // The run's main process id (= its process group id), or -1 when it is unknown, failed
  // to launch or has been reaped. For diagnostics and tests.
  int pid_of(RunId id) const;

 private:
  struct Run;
  using RunPtr = std::shared_ptr<Run>;

  std::string start(Run& run, const LaunchSpec& spec);
  void read_stdout(const RunPtr& run);
  void on_stdout(const RunPtr& run, std::size_t bytes);
  void on_stdout_end(const RunPtr& run);
  void deliver_line(const RunPtr& run, std::string_view line);
  void on_reaped(const RunPtr& run, int native_status, const std::string& error);
  enum class StopReason { Requested, Timeout, Heartbeat };
  void request_stop(const RunPtr& run, StopReason reason);
  void arm_timeout(const RunPtr& run);
  void arm_heartbeat(const RunPtr& run);
  void on_heartbeat(const RunPtr& run);
  void maybe_finish(const RunPtr& run);

  boost::asio::io_context& io_;
  LocalRunnerOptions options_;
  std::map<RunId, RunPtr> runs_;  // launched, on_exit not yet delivered
  RunId next_id_ = 1;
};

}  // namespace rungs::runners
