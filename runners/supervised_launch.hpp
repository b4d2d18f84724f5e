#pragma once
// The rungs side of the supervisor protocol (supervisor/supervisor.cpp): the descriptors and
// the command line a run's supervisor is started with, and what its status lines mean.
// Used by LocalRunner::start() and LocalRunner's end of a run; a Slurm runner builds the same
// command line for its jobs (with --detached) and reads the same record file.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "runners/exec_plan.hpp"
#include "runners/group_leader.hpp"
#include "runners/runner.hpp"
#include "runners/unique_fd.hpp"

namespace rungs::runners {

// Descriptors for one supervised run; all close-on-exec in rungs and >= 3.
struct SupervisorFds {
  UniqueFd control_read, control_write;  // rungs -> supervisor commands (its fd 0), a socket
  UniqueFd status_read, status_write;    // supervisor -> rungs status lines (its fd 3)
  UniqueFd output_write;                 // the trial's stdout (the supervisor's fd 1), O_APPEND
  UniqueFd output_read;                  // what OutputFollower reads
  UniqueFd stderr_write;                 // the trial's stderr; invalid: inherited
};

// Opens them for `spec` (stdout_path created if needed, or an unnamed temporary file).
// Returns an error text, empty on success.
std::string open_supervisor_fds(const LaunchSpec& spec, SupervisorFds& fds);

// The supervisor's command line: it execs `trial` with its argv and environment as planned.
ExecPlan supervisor_plan(const std::filesystem::path& supervisor, const ExecPlan& trial,
                         std::chrono::milliseconds grace, const std::string& token,
                         const std::filesystem::path& record);

// What the supervisor's status lines said.
struct SupervisorReport {
  int trial_pid = -1;                 // "started PID"
  std::optional<ExitStatus> end;      // "exit N", "signal S", "failed TEXT"
};
// Parses the complete lines of `text` (the whole status output so far).
SupervisorReport parse_supervisor_status(std::string_view text);

// Commands on the control pipe.
inline constexpr char kStop = 'T', kKill = 'K', kPause = 'P', kContinue = 'C';
// Writes one command; false if the supervisor is gone.
bool send_command(int control_fd, char command);

// Starts the supervisor (posix_spawn) as `plan` says, in `working_dir`, with `fds`: control socket
// as its fd 0, output file as 1, stderr file (or rungs' own) as 2, status pipe as 3; no parent
// death signal (it must outlive rungs to end the run). On success `process` is set and the
// child's ends of `fds` are closed in rungs. Returns an error text, empty on success.
std::string launch_supervisor(boost::asio::io_context& io, const ExecPlan& plan,
                              const std::filesystem::path& working_dir, SupervisorFds& fds,
                              std::optional<GroupLeader::Process>& process);

// At the end of a run: the trial's status from the supervisor's status lines into `status`
// (kind, code, signal, error). Without an end line the supervisor was killed before it could
// end its run: every process still carrying `token` is SIGKILLed, and `status` is kept (the
// caller set it to Unknown with the supervisor's own wait status).
void apply_supervisor_status(std::string_view status_text, const std::string& token, ExitStatus& status);

}  // namespace rungs::runners
