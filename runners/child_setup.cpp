#include "runners/child_setup.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <system_error>

#include <fmt/format.h>

namespace rungs::runners {

namespace bp = boost::process::v2;

namespace {

// Where in the child a launch failed; sent to the parent as (step << 16) | errno.
enum ChildStep : int {
  kSetpgid = 1,
  kDeathSignal,
  kParentGone,
  kStdio,
  kChdir,
  kExec,
};

}  // namespace

std::string errno_text(int err) { return std::system_category().message(err); }

bp::error_code ChildSetup::on_exec_setup(bp::posix::default_launcher& launcher,
                                         const bp::filesystem::path& executable,
                                         const char* const* /*cmd_line*/) const {
  // The launcher's error pipe (close-on-exec) is the last descriptor it whitelisted.
  int error_pipe = launcher.fd_whitelist.empty() ? -1 : launcher.fd_whitelist.back();
  if (error_pipe <= 2 || (::fcntl(error_pipe, F_GETFD) & FD_CLOEXEC) == 0) {
    error_pipe = -1;  // not what we expect: fail without details rather than write elsewhere
  }
  const auto fail = [error_pipe](int step) {
    const int code = (step << 16) | (errno & 0xffff);
    if (error_pipe >= 0) {
      [[maybe_unused]] const auto written = ::write(error_pipe, &code, sizeof code);
    }
    ::_exit(127);
  };

  if (::setpgid(0, 0) == -1) {
    fail(kSetpgid);
  }
  if (parent_death_signal != 0) {
    if (::prctl(PR_SET_PDEATHSIG, parent_death_signal) == -1) {
      fail(kDeathSignal);
    }
    if (::getppid() != parent_pid) {  // rungs died before prctl took effect
      errno = ESRCH;
      fail(kParentGone);
    }
  }

  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction default_action {};
  default_action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    ::sigaction(sig, &default_action, nullptr);  // fails harmlessly for KILL/STOP/reserved
  }

  // Extra descriptors first: their sources are >= 3 and distinct from every target below 3.
  // A target that collides with the error pipe would silently replace it: refuse.
  for (const auto& [from, to] : extra_fds) {
    if (from < 0) {
      continue;
    }
    if (to <= 2 || to == error_pipe || ::dup2(from, to) == -1) {
      fail(kStdio);
    }
  }
  const int targets[3][2] = {{stdin_fd, 0}, {stdout_fd, 1}, {stderr_fd, 2}};
  for (const auto& [from, to] : targets) {
    if (from >= 0 && ::dup2(from, to) == -1) {
      fail(kStdio);
    }
  }
  if (working_dir != nullptr && ::chdir(working_dir) == -1) {
    fail(kChdir);
  }

  // Everything but 0/1/2, the extra descriptors and the error pipe goes (the pipe closes
  // itself on exec). close_range needs Linux 5.9; before that, close one by one.
  const auto kept = [this, error_pipe](int fd) {
    if (fd == error_pipe) {
      return true;
    }
    for (const auto& [from, to] : extra_fds) {
      if (from >= 0 && fd == to) {
        return true;
      }
    }
    return false;
  };
  unsigned next = 3;
  bool ranges_ok = true;
  for (unsigned fd = 3; fd < 1024 && ranges_ok; ++fd) {  // kept descriptors are small numbers
    if (kept(static_cast<int>(fd))) {
      if (fd > next) {
        ranges_ok = ::close_range(next, fd - 1, 0) == 0;
      }
      next = fd + 1;
    }
  }
  if (!ranges_ok || ::close_range(next, ~0U, 0) == -1) {
    const long open_max = ::sysconf(_SC_OPEN_MAX);
    const int limit = open_max > 0 && open_max < 65536 ? static_cast<int>(open_max) : 65536;
    for (int fd = 3; fd < limit; ++fd) {
      if (!kept(fd)) {
        ::close(fd);
      }
    }
  }

  ::execve(executable.c_str(), const_cast<char* const*>(argv), const_cast<char* const*>(envp));
  fail(kExec);
  return {};
}

std::string child_failure(int code, const std::string& program, const std::string& working_dir) {
  const int step = code >> 16;
  const int err = code & 0xffff;
  switch (step) {
    case kSetpgid:
      return fmt::format("cannot create a process group: {}", errno_text(err));
    case kDeathSignal:
      return fmt::format("prctl(PR_SET_PDEATHSIG) failed: {}", errno_text(err));
    case kParentGone:
      return "rungs exited while the trial was starting";
    case kStdio:
      return fmt::format("cannot redirect stdin/stdout/stderr: {}", errno_text(err));
    case kChdir:
      return fmt::format("cannot enter working directory '{}': {}", working_dir, errno_text(err));
    case kExec:
      return fmt::format("cannot execute '{}': {}{}", program, errno_text(err),
                         err == ENOEXEC ? " (a script needs a #! line)" : "");
    default:
      return fmt::format("cannot start '{}': {}", program, errno_text(code));
  }
}

}  // namespace rungs::runners
