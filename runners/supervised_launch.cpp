#include "runners/supervised_launch.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>

#include <fmt/format.h>

#include "runners/child_setup.hpp"  // errno_text
#include "runners/process_tree.hpp"
#include "runners/program_lookup.hpp"

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

std::filesystem::path find_supervisor(const std::vector<std::filesystem::path>& program_dirs) {
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto next_to_us = self.parent_path() / "rungs-supervisor";
    if (::access(next_to_us.c_str(), X_OK) == 0) {
      return next_to_us;
    }
  }
  return resolve_program("rungs-supervisor", program_dirs);
}

std::string launch_supervisor(boost::asio::io_context& io, const ExecPlan& plan,
                              const std::filesystem::path& working_dir, SupervisorFds& fds,
                              std::optional<GroupLeader::Process>& process) {
  // posix_spawn, not fork: glibc starts the child with clone(CLONE_VM | CLONE_VFORK), so rungs'
  // page tables are not copied and its memory is not made copy-on-write. With fork, every page
  // rungs wrote after a launch took a page fault (and a TLB flush): most of rungs' own CPU per
  // run on the LCBench benchmark (docs/benchmarks.md, "rungs' own CPU per run").
  // In the child, in this order: its own process group, signal mask empty and every
  // disposition default, the status pipe at 3 and the control socket / output / stderr at
  // 0 / 1 / 2, the working directory, every other descriptor closed, exec.
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  ::posix_spawnattr_init(&attr);
  ::posix_spawn_file_actions_init(&actions);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  ::posix_spawnattr_setsigmask(&attr, &none);
  ::posix_spawnattr_setsigdefault(&attr, &all);
  ::posix_spawnattr_setpgroup(&attr, 0);
  ::posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  // Stdio first: the descriptors are all above 2 (above_stdio), but one of them may be 3.
  constexpr int kStatusFd = 3;
  ::posix_spawn_file_actions_adddup2(&actions, fds.control_read.get(), 0);
  ::posix_spawn_file_actions_adddup2(&actions, fds.output_write.get(), 1);
  if (fds.stderr_write) {
    ::posix_spawn_file_actions_adddup2(&actions, fds.stderr_write.get(), 2);
  }
  ::posix_spawn_file_actions_adddup2(&actions, fds.status_write.get(), kStatusFd);
  if (!working_dir.empty()) {
    ::posix_spawn_file_actions_addchdir_np(&actions, working_dir.c_str());
  }
  ::posix_spawn_file_actions_addclosefrom_np(&actions, kStatusFd + 1);
  const auto argv = plan.argv_pointers();
  const auto envp = plan.env_pointers();
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, plan.executable.c_str(), &actions, &attr,
                                  const_cast<char* const*>(argv.data()), const_cast<char* const*>(envp.data()));
  ::posix_spawn_file_actions_destroy(&actions);
  ::posix_spawnattr_destroy(&attr);
  if (error != 0) {
    // glibc does not say which step failed: a working directory that is not one is the
    // likely cause (the supervisor is rungs' own program, found beside it).
    std::error_code ec;
    if (!working_dir.empty() && !std::filesystem::is_directory(working_dir, ec)) {
      return fmt::format("cannot enter working directory '{}': {}", working_dir.string(), errno_text(error));
    }
    return fmt::format("cannot start '{}': {}", plan.executable.string(), errno_text(error));
  }
  try {
    process.emplace(io.get_executor(), pid);  // attaches (pidfd_open)
  } catch (...) {
    // EOF on its control socket makes the supervisor end the run at once, then it is reaped.
    fds.control_write.reset();
    ::waitpid(pid, nullptr, 0);
    throw;
  }
  // The child's ends: only the supervisor may hold them (EOF on the status pipe = it ended).
  fds.control_read.reset();
  fds.status_write.reset();
  fds.output_write.reset();
  fds.stderr_write.reset();
  return {};
}

void apply_supervisor_status(std::string_view status_text, const std::string& token, ExitStatus& status) {
  if (const auto end = parse_supervisor_status(status_text).end) {
    status.kind = end->kind;
    status.code = end->code;
    status.signal = end->signal;
    status.error = end->error;
    return;
  }
  // The supervisor died without ending its run (someone SIGKILLed it): what is left of the
  // run still carries its token.
  if (!token.empty()) {
    for (const auto& left : processes_with_env("RUNGS_RUN_TOKEN", token)) {
      signal_exactly(left, SIGKILL);
    }
  }
}

}  // namespace rungs::runners
