#pragma once
// LocalRunner: trials as local processes, each under its own rungs-supervisor
// (supervisor/supervisor.cpp), all driven by one single-threaded boost::asio::io_context.
//
// What it guarantees, and why:
//  - No shell: argv goes to execve as given (through the supervisor's argv, untouched).
//  - No process outlives its run. rungs starts the supervisor; the supervisor is a child
//    subreaper, so every descendant of the trial, even one that called setsid() or
//    double-forked, stays in its tree. When the trial's main process exits, the supervisor
//    SIGKILLs the rest of the tree; stop() makes it SIGTERM the whole tree and SIGKILL it
//    after the grace; and when rungs dies, even by SIGKILL, the supervisor sees EOF on its
//    control pipe and does the same. The supervisor exits only once the tree is gone: when
//    on_exit is called, nothing of the run is left.
//  - No line lost: the trial's stdout is a file (LaunchSpec::stdout_path), followed from an
//    offset (OutputFollower, woken by inotify). Lines are timed when rungs reads them, which
//    is as soon as they are written. Complete lines only (see LaunchSpec::heartbeat).
//  - pause() has the supervisor SIGSTOP every process of the run, resume() SIGCONT them;
//    stop() of a paused run is TERM then CONT, so the program can handle the TERM.
//  - rungs only ever signals its own unreaped children (the supervisors); the supervisor
//    signals descendants through pidfds opened on checked identities. No pid is signalled
//    after it may have been reused.
//  - The trial starts clean: signal dispositions and mask reset, stdin /dev/null, no inherited
//    descriptors but 0/1/2, its own process group.
//
// Requires Linux >= 5.3 (pidfd_open). Nothing here reaps children it did not start; rungs
// must not set SIGCHLD to SIG_IGN or call waitpid(-1) (exit statuses would be lost).
// The mechanism is described for users in docs/processes.md.
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "runners/runner.hpp"

namespace rungs::runners {

class FileWatch;

struct LocalRunnerOptions {
  // Searched after PATH for a program named without a '/' (e.g. the build's bin dir).
  std::vector<std::filesystem::path> program_dirs;
  // A stdout line longer than this is delivered truncated and the rest of it dropped
  // (protects memory from a progress bar that never prints a newline).
  std::size_t max_line_bytes = std::size_t{1} << 20;
  // Upper bound on how long the destructor waits for the supervisors to end their runs.
  std::chrono::milliseconds shutdown_timeout{3000};
  // The rungs-supervisor program. Empty: the one next to the running executable, else in
  // program_dirs, else in PATH.
  std::filesystem::path supervisor;
};

// Where LocalRunner finds rungs-supervisor by default (see LocalRunnerOptions::supervisor).
// Throws std::runtime_error naming the places it looked.
std::filesystem::path find_supervisor(const std::vector<std::filesystem::path>& program_dirs);

class LocalRunner final : public Runner {
 public:
  // Throws std::runtime_error if rungs-supervisor cannot be found.
  explicit LocalRunner(boost::asio::io_context& io, LocalRunnerOptions options = {});
  // Destroy the runner before its io_context.
  // Has every run killed at once (SIGKILL to its whole tree, by its supervisor) and waits for
  // the supervisors (bounded by shutdown_timeout). Pending callbacks are dropped, not called:
  // the owner is going away. For a graceful end, call stop_all() and run the io_context until
  // running() == 0 first.
  ~LocalRunner() override;

  LocalRunner(const LocalRunner&) = delete;
  LocalRunner& operator=(const LocalRunner&) = delete;

  RunId launch(LaunchSpec spec, RunCallbacks callbacks) override;
  void end_recorded(const std::filesystem::path& record, std::chrono::milliseconds grace) override;
  void stop(RunId id) override;
  void stop_all() override;
  // SIGSTOP / SIGCONT to every process of the run (sent by its supervisor, so a moment after
  // the call returns). The timeout and the heartbeat are re-armed with the running time they
  // had left. Lines written before the pause and read after it restart the window as of the
  // pause (the run resumes with its whole heartbeat).
  bool pause(RunId id) override;
  bool resume(RunId id) override;
  std::size_t running() const override;

  // The trial's main process id (= its process group id) once its supervisor reported it
  // started, until the run ends; -1 otherwise. For diagnostics and tests.
  int pid_of(RunId id) const;

 private:
  struct Run;
  using RunPtr = std::shared_ptr<Run>;

  std::string start(Run& run, const LaunchSpec& spec);
  void read_status(const RunPtr& run);
  void on_status(const RunPtr& run, std::size_t bytes);
  void read_output(const RunPtr& run);
  void poll_output(const RunPtr& run);
  void deliver_line(const RunPtr& run, std::string_view line, std::uint64_t end);
  void on_reaped(const RunPtr& run, int native_status, const std::string& error);
  enum class StopReason { Requested, Timeout, Heartbeat };
  void request_stop(const RunPtr& run, StopReason reason);
  void arm_timeout(const RunPtr& run);
  void arm_heartbeat(const RunPtr& run);
  void on_heartbeat(const RunPtr& run);
  void maybe_finish(const RunPtr& run);

  boost::asio::io_context& io_;
  LocalRunnerOptions options_;
  std::unique_ptr<FileWatch> watch_;
  std::map<RunId, RunPtr> runs_;  // launched, on_exit not yet delivered
  RunId next_id_ = 1;
};

}  // namespace rungs::runners
