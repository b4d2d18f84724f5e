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
//  - on_line (or on_line_at) is called once per stdout line, in order; on_exit exactly once,
//    after the last line. After on_exit the RunId is dead: stop() on it is a no-op, pause()/resume()
//    return false.
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
  // The trial's stdout is appended to this file, and the runner reads its lines from the
  // file: a line the trial wrote is kept even if rungs dies before reading it. Empty: an
  // unnamed temporary file (nothing survives rungs). The Slurm runner uses the same scheme
  // with the job's output file.
  std::filesystem::path stdout_path;
  // Where to start reading stdout_path: lines that end at or before it are not delivered.
  // A relaunch after rungs itself was restarted passes the `end` of the last line it handled
  // (RunCallbacks::on_line_at): the lines the previous process printed after it, unread when
  // rungs died, come first, then the new process's.
  std::uint64_t stdout_offset = 0;
  // A small text file the run's supervisor keeps up to date: its own and the trial's process
  // identities (pid, start time, boot id), a token in the environment of every process of the
  // run, and at the end the exit status. end_leftovers() (runners/leftovers.hpp) uses it
  // after a crash of rungs to end what the previous run left, without ever signalling a
  // stranger. Empty: not written.
  std::filesystem::path process_record;
  // A short name for the run, for people looking at a batch system (a Slurm job's name starts
  // with it). Empty: "rungs".
  std::string name;
  // Requests to a batch system for this run, as its command-line options (Slurm: sbatch
  // options such as "--time=12:00:00", "--gres=gpu:1"). The local runner ignores them.
  std::vector<std::string> resources;
  std::chrono::milliseconds timeout{0};    // limit on running time (paused time excluded); 0 = none
  // Liveness limit (0 or negative = none): the longest the run may go without a stdout line,
  // counted from launch or from its last line, in running time. A trial that hangs (deadlock,
  // dead NFS mount, a stuck collective) is then stopped like on timeout, with
  // ExitStatus::stale, long before a multi-day timeout would notice. Paused time does not
  // count: pause() keeps the silence so far and resume() continues it with what was left of
  // the window (as the timeout does), so a run cannot dodge its limit by being paused, nor be
  // punished for it. Only complete lines count (also the truncated part of an overlong one):
  // a progress bar redrawn with '\r' and no newline is silence.
  std::chrono::milliseconds heartbeat{0};
  std::chrono::milliseconds grace{5000};   // SIGTERM -> SIGKILL delay when stopping
  // A relaunch after rungs itself was restarted: the run had been out this long. The
  // simulated runner backdates the run's start by this much so that its script continues
  // exactly where it was (a simulated checkpoint is perfect); lines whose time is before the
  // runner's current time are still delivered (first, in order) so the caller can drop those
  // it already has. Real runners ignore it: the trial resumes from its own checkpoint.
  double already_ran_seconds = 0;
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
  bool stale = false;     // the runner stopped it because LaunchSpec::heartbeat elapsed
                          // without a line (never together with timed_out)
  bool stopped = false;   // the runner sent it SIGTERM (stop(), stop_all(), timeout, heartbeat)
  // For a stale run: how long (running time) it had printed no line when the runner stopped
  // it; LaunchSpec::heartbeat or a little more (timer latency). 0 otherwise.
  std::chrono::milliseconds silent_for{0};
  std::string error;
  std::chrono::milliseconds duration{0};  // launch to exit of the program, paused time included
};

// True only for a clean exit with code 0 that nobody asked for (not stopped, not timed out,
// not stale).
bool succeeded(const ExitStatus& status);
// One line for logs: "exited with code 3", "killed by SIGKILL after timeout (1.2 s)",
// "stopped after 30 s without output (heartbeat), killed by SIGTERM (95.3 s)", ...
std::string describe(const ExitStatus& status);

using RunId = std::uint64_t;

struct RunCallbacks {
  // Each stdout line without its newline (and without a trailing '\r'). The view is only
  // valid during the call. A last line without a newline is delivered at EOF.
  std::function<void(std::string_view line)> on_line;
  // Exactly once, after all lines.
  std::function<void(const ExitStatus&)> on_exit;
  // Instead of on_line when set: also `end`, the byte offset in LaunchSpec::stdout_path just
  // past the line (for a line cut at the length limit, past its last byte kept). Record it
  // when the line has been handled; LaunchSpec::stdout_offset = that value follows on from
  // the next line. (Offsets of the simulated runner count the bytes of its lines.) Last
  // member, so that {on_line, on_exit} still initializes the struct.
  std::function<void(std::string_view line, std::uint64_t end)> on_line_at = nullptr;
  // When the runner itself starts the run again from its checkpoint (a Slurm job the cluster
  // ended, resubmitted with RUNGS_RELAUNCH=1): the lines after it may repeat reports made
  // before it (the trial protocol), which the caller must drop. Before any line of the new start.
  std::function<void()> on_relaunch = nullptr;
};

// Calls on_line_at, or else on_line, if set.
inline void deliver_line(const RunCallbacks& callbacks, std::string_view line, std::uint64_t end) {
  if (callbacks.on_line_at) {
    callbacks.on_line_at(line, end);
  } else if (callbacks.on_line) {
    callbacks.on_line(line);
  }
}

class Runner {
 public:
  virtual ~Runner() = default;

  // Starts a run and returns its id at once; the outcome arrives through the callbacks.
  virtual RunId launch(LaunchSpec spec, RunCallbacks callbacks) = 0;
  // Asks a run to end: SIGTERM to its whole process group, SIGKILL after its grace period.
  // (The runner does the same by itself when the timeout or the heartbeat elapses.)
  // No-op for an unknown or already finished id, or if a stop is already under way.
  virtual void stop(RunId id) = 0;
  // stop() for every active run, paused ones included.
  virtual void stop_all() = 0;
  // Freezes a run while keeping its process (ASHA promotion can then resume a paused trial
  // instead of relaunching it from a checkpoint): a local run's process group gets SIGSTOP.
  // A paused run prints nothing, uses no CPU (a simulated one frees its worker) and its
  // timeout and heartbeat do not run: both count running time only. It still ends as
  // usual if it dies, and stop() ends it (the TERM is delivered with a SIGCONT, so the
  // program can handle it; SIGKILL after the grace period as for a running one).
  // Returns true if the run is now paused; false for an unknown or finished id, a run being
  // stopped, or one already paused.
  virtual bool pause(RunId id) = 0;
  // Lets a paused run continue (SIGCONT); its timeout and its heartbeat window go on with the
  // time they had left.
  // Returns true if the run was paused and is now running (a simulated run may still wait
  // for a free worker); false for an unknown or finished id, a run being stopped, or one that
  // is not paused.
  virtual bool resume(RunId id) = 0;
  // Ends what an earlier rungs left of a run that will not be launched again (its stop had
  // been decided when rungs died), as its LaunchSpec::process_record describes: a local run's
  // leftover processes (TERM, the grace, KILL), a Slurm run's job still queued or running
  // (scancel). Nothing for a record that shows the run ended, or no record. May block up to
  // the grace (local). Default: nothing (a runner without records).
  virtual void end_recorded(const std::filesystem::path& record, std::chrono::milliseconds grace) {
    (void)record;
    (void)grace;
  }
  // Runs launched whose on_exit has not been delivered yet (a failed launch counts until
  // its on_exit has run).
  virtual std::size_t running() const = 0;
};

}  // namespace rungs::runners
