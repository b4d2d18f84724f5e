#pragma once
// The runner contract: how the campaign loop starts a trial as a process, hears its stdout,
// stops it and learns how it ended. An interface (ninja's CommandRunner shape) so that tests
// can drive a fake and a Slurm runner can stand in for the local one.
//
// Contract, for every implementation:
//  - All member functions are called from the thread that runs the runner's event loop
//    (or before it runs); callbacks run on that same thread, never inside launch()/stop().
//  - launch() never throws for a trial-level problem: a program that cannot be found or
//    executed, a missing working directory, an unwritable stderr file... are reported through
//    on_exit with Kind::LaunchFailed. A failed trial is data, not an exception.
//  - on_line is called once per stdout line, in order; on_exit exactly once, after the last
//    on_line. After on_exit the RunId is dead: stop() on it is a no-op.
//  - Callbacks must not throw (an exception would leave through the event loop's run()).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rungs::runners {

struct LaunchSpec {
  // argv[0] names the program: with a '/' it is a path (relative ones are resolved from
  // working_dir), otherwise it is looked up in rungs' own PATH (not one set in `env`) and
  // then in the runner's extra directories.
  // No shell is involved; every element reaches the program as one literal argument.
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;  // added to (overriding) the inherited environment
  std::filesystem::path working_dir;       // empty: the runner's current directory
  std::filesystem::path stderr_path;       // stderr is appended here; empty: inherited
  std::chrono::milliseconds timeout{0};    // wall-clock limit from launch; 0 = none
  std::chrono::milliseconds grace{5000};   // SIGTERM -> SIGKILL delay when stopping
};

struct ExitStatus {
  enum class Kind {
    Exited,        // the program returned/exited: `code` is its exit code
    Signaled,      // killed by `signal` (ours after stop/timeout, or its own crash)
    LaunchFailed,  // never ran: `error` says why
    Unknown,       // ran, but its status could not be collected: `error` says why
  };
  Kind kind = Kind::Unknown;
  int code = -1;          // exit code when kind == Exited, else -1
  int signal = 0;         // signal number when kind == Signaled, else 0
  bool timed_out = false; // the runner stopped it because LaunchSpec::timeout elapsed
  bool stopped = false;   // the runner sent it SIGTERM (stop(), stop_all() or timeout)
  std::string error;
  std::chrono::milliseconds duration{0};  // launch to exit of the program
};

// True only for a clean exit with code 0 that nobody asked for (not stopped, not timed out).
bool succeeded(const ExitStatus& status);
// One line for logs: "exited with code 3", "killed by SIGKILL after timeout (1.2 s)", ...
std::string describe(const ExitStatus& status);

using RunId = std::uint64_t;

struct RunCallbacks {
  // Each stdout line without its newline (and without a trailing '\r'). The view is only
  // valid during the call. A last line without a newline is delivered at EOF.
  std::function<void(std::string_view line)> on_line;
  // Exactly once, after all lines.
  std::function<void(const ExitStatus&)> on_exit;
};

class Runner {
 public:
  virtual ~Runner() = default;

  // Starts a run and returns its id at once; the outcome arrives through the callbacks.
  virtual RunId launch(LaunchSpec spec, RunCallbacks callbacks) = 0;
  // Asks a run to end: SIGTERM to its whole process group, SIGKILL after its grace period.
  // No-op for an unknown or already finished id, or if a stop is already under way.
  virtual void stop(RunId id) = 0;
  // stop() for every active run.
  virtual void stop_all() = 0;
  // Runs launched whose on_exit has not been delivered yet (a failed launch counts until
  // its on_exit has run).
  virtual std::size_t running() const = 0;
};

}  // namespace rungs::runners
