#pragma once
// Running a short command-line tool (sbatch, squeue, scancel) from the event loop: no shell,
// its stdout and stderr collected, the outcome delivered on the loop. The Slurm runner talks
// to Slurm only through this, so that a slow or unreachable controller never blocks the loop
// (sbatch can wait tens of seconds for a controller that does not answer).
//
// Contract: call_command() returns at once; `done` is called exactly once, on the io_context's
// thread, after the program has exited and both of its outputs are closed (or after the
// deadline killed it), never from inside call_command(). The child gets stdin /dev/null,
// its own process group and SIGKILL when rungs dies (a half-done query is worth nothing).
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

namespace rungs::runners {

struct CommandResult {
  bool ran = false;      // the program was started (false: `error` says why not)
  int exit_code = -1;    // its exit code; -1 if it died of a signal or never ran
  bool timed_out = false;
  std::string out;       // its stdout, whole
  std::string err;       // its stderr, whole
  std::string error;     // why it could not run, or how it ended if not with an exit code

  bool ok() const { return ran && exit_code == 0; }
  // "sbatch: error: invalid partition specified: gpu" from stderr (trimmed), else `error`,
  // else "exited with code N".
  std::string message() const;
};

// Runs `argv` (argv[0] resolved in PATH when it has no '/') with `env` ("NAME=value", the
// whole environment). Kills it (SIGKILL) after `deadline`.
void call_command(boost::asio::io_context& io, const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  std::chrono::milliseconds deadline, std::function<void(CommandResult)> done);

// The same, waiting for the result (for checks made before the event loop runs, e.g. a
// campaign validated with `sbatch --test-only`). Runs its own io_context.
CommandResult call_command_sync(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                                std::chrono::milliseconds deadline);

// rungs' own environment as "NAME=value" strings, with `overrides` replacing or adding.
std::vector<std::string> environment_with(const std::vector<std::string>& overrides);

}  // namespace rungs::runners
