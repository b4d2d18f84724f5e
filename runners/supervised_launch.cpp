#include "runners/supervised_launch.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "runners/child_setup.hpp"

namespace rungs::runners {

namespace {

std::string open_error(const char* what, const std::filesystem::path& path) {
  return fmt::format("cannot open {} '{}': {}", what, path.string(), errno_text(errno));
}

// An unnamed file for a run without stdout_path: gone with its last descriptor.
std::string open_temporary(SupervisorFds& fds) {
  const auto dir = std::filesystem::temp_directory_path();
  UniqueFd file(::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
  if (!file) {  // a filesystem without O_TMPFILE: create and unlink at once
    std::string name = (dir / "rungs-output-XXXXXX").string();
    file.reset(::mkostemp(name.data(), O_CLOEXEC));
    if (!file) {
      return open_error("a temporary file in", dir);
    }
    ::unlink(name.c_str());
  }
  const std::string self = fmt::format("/proc/self/fd/{}", file.get());
  fds.output_write = above_stdio(UniqueFd(::open(self.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC)));
  if (!fds.output_write) {
    return open_error("a temporary file in", dir);
  }
  fds.output_read = above_stdio(std::move(file));
  return {};
}

std::string make_pipe(UniqueFd& read_end, UniqueFd& write_end) {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC) == -1) {
    return fmt::format("cannot create a pipe: {}", errno_text(errno));
  }
  read_end = above_stdio(UniqueFd(ends[0]));
  write_end = above_stdio(UniqueFd(ends[1]));
  if (!read_end || !write_end) {
    return fmt::format("cannot create a pipe: {}", errno_text(errno));
  }
  return {};
}

}  // namespace

std::string open_supervisor_fds(const LaunchSpec& spec, SupervisorFds& fds) {
  if (!spec.stderr_path.empty()) {
    fds.stderr_write = above_stdio(UniqueFd(
        ::open(spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)));
    if (!fds.stderr_write) {
      return open_error("stderr file", spec.stderr_path);
    }
  }
  if (spec.stdout_path.empty()) {
    if (auto error = open_temporary(fds); !error.empty()) {
      return error;
    }
  } else {
    fds.output_write = above_stdio(UniqueFd(
        ::open(spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)));
    if (!fds.output_write) {
      return open_error("stdout file", spec.stdout_path);
    }
    fds.output_read = above_stdio(UniqueFd(::open(spec.stdout_path.c_str(), O_RDONLY | O_CLOEXEC)));
    if (!fds.output_read) {
      return open_error("stdout file", spec.stdout_path);
    }
  }
  // The control channel is a socket rather than a pipe: send(MSG_NOSIGNAL) to a supervisor
  // that is gone fails with EPIPE instead of raising SIGPIPE in rungs.
  int ends[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) == -1) {
    return fmt::format("cannot create a socket pair: {}", errno_text(errno));
  }
  fds.control_read = above_stdio(UniqueFd(ends[0]));
  fds.control_write = above_stdio(UniqueFd(ends[1]));
  if (!fds.control_read || !fds.control_write) {
    return fmt::format("cannot create a socket pair: {}", errno_text(errno));
  }
  return make_pipe(fds.status_read, fds.status_write);
}

ExecPlan supervisor_plan(const std::filesystem::path& supervisor, const ExecPlan& trial,
                         std::chrono::milliseconds grace, const std::string& token,
                         const std::filesystem::path& record) {
  ExecPlan plan;
  plan.executable = supervisor;
  plan.argv = {"rungs-supervisor", "--grace", std::to_string(grace.count()), "--token", token};
  if (!record.empty()) {
    plan.argv.insert(plan.argv.end(), {"--record", record.string()});
  }
  plan.argv.insert(plan.argv.end(), {"--exec", trial.executable.string(), "--"});
  plan.argv.insert(plan.argv.end(), trial.argv.begin(), trial.argv.end());
  plan.env = trial.env;
  return plan;
}

SupervisorReport parse_supervisor_status(std::string_view text) {
  SupervisorReport report;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) {
      break;  // incomplete: the rest comes later
    }
    const auto line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    const auto space = line.find(' ');
    const auto word = line.substr(0, space);
    const std::string rest(space == std::string_view::npos ? std::string_view() : line.substr(space + 1));
    ExitStatus status;
    if (word == "started") {
      report.trial_pid = std::atoi(rest.c_str());
    } else if (word == "exit") {
      status.kind = ExitStatus::Kind::Exited;
      status.code = std::atoi(rest.c_str());
      report.end = status;
    } else if (word == "signal") {
      status.kind = ExitStatus::Kind::Signaled;
      status.signal = std::atoi(rest.c_str());
      report.end = status;
    } else if (word == "failed") {
      status.kind = ExitStatus::Kind::LaunchFailed;
      status.error = rest;
      report.end = status;
    }
  }
  return report;
}

bool send_command(int control_fd, char command) {
  for (;;) {
    // Never blocks the event loop: commands are single bytes, far below the socket's buffer.
    const ssize_t n = ::send(control_fd, &command, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == 1) {
      return true;
    }
    if (n < 0 && errno == EINTR) {
      continue;
    }
    return false;  // EPIPE: the supervisor is gone
  }
}

}  // namespace rungs::runners
