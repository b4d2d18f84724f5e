#include "runners/local_runner.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
// Boost 1.81 quirk: with BOOST_PROCESS_USE_STD_FS, Boost.Process v2's config.hpp still names
// boost::optional and its headers use boost::decay / is_convertible / is_constructible
// unqualified, but only the boost::filesystem branch includes them. Include them first.
#include <boost/optional.hpp>
#include <boost/type_traits.hpp>
// Header-only (BOOST_PROCESS_V2_HEADER_ONLY is the default); never include v2/src.hpp.
#include <boost/process/v2.hpp>
#include <boost/process/v2/posix/default_launcher.hpp>
#include <fmt/format.h>

#include "runners/program_lookup.hpp"

namespace rungs::runners {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;

namespace {

// An owned file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    reset(other.release());
    return *this;
  }
  ~UniqueFd() { reset(); }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

// The child's dup2 onto 0/1/2 must not clobber a source descriptor: keep ours at >= 3
// (only matters when rungs itself runs with a standard descriptor closed).
UniqueFd above_stdio(UniqueFd fd) {
  if (fd.get() < 0 || fd.get() > 2) {
    return fd;
  }
  return UniqueFd(::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3));
}

std::string errno_text(int err) { return std::system_category().message(err); }

// Where in the child a launch failed; sent to the parent through the launcher's error pipe
// as (step << 16) | errno.
enum ChildStep : int {
  kSetpgid = 1,
  kDeathSignal,
  kParentGone,
  kStdio,
  kChdir,
  kExec,
};

// The Boost.Process initializer that prepares the child between fork and exec. It performs
// the exec itself and _exit()s on failure, because Boost 1.81's default_launcher (a) leaves
// descriptors below its error pipe open in the child (close_all's gap loop compares an fd
// with itself) and (b) calls exit() after a failed exec, running rungs' atexit handlers and
// static destructors in the child. Only async-signal-safe calls below.
struct ChildSetup {
  pid_t parent_pid;
  const char* const* argv;
  const char* const* envp;
  const char* working_dir;  // nullptr: stay
  int stdin_fd;
  int stdout_fd;
  int stderr_fd;  // -1: inherit

  bp::error_code on_exec_setup(bp::posix::default_launcher& launcher,
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
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) == -1) {
      fail(kDeathSignal);
    }
    if (::getppid() != parent_pid) {  // rungs died before prctl took effect
      errno = ESRCH;
      fail(kParentGone);
    }

    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      ::sigaction(sig, &default_action, nullptr);  // fails harmlessly for KILL/STOP/reserved
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

    // Everything but 0/1/2 and the error pipe goes (the pipe closes itself on exec).
    // close_range needs Linux 5.9; before that, close one by one.
    const unsigned keep = error_pipe > 2 ? static_cast<unsigned>(error_pipe) : 2U;
    if ((keep > 3 && ::close_range(3, keep - 1, 0) == -1) ||
        ::close_range(keep + 1, ~0U, 0) == -1) {
      const long open_max = ::sysconf(_SC_OPEN_MAX);
      const int limit = open_max > 0 && open_max < 65536 ? static_cast<int>(open_max) : 65536;
      for (int fd = 3; fd < limit; ++fd) {
        if (fd != error_pipe) {
          ::close(fd);
        }
      }
    }

    ::execve(executable.c_str(), const_cast<char* const*>(argv), const_cast<char* const*>(envp));
    fail(kExec);
    return {};
  }
};

std::string child_failure(int code, const std::string& program, const LaunchSpec& spec) {
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
      return fmt::format("cannot enter working directory '{}': {}", spec.working_dir.string(),
                         errno_text(err));
    case kExec:
      return fmt::format("cannot execute '{}': {}{}", program, errno_text(err),
                         err == ENOEXEC ? " (a script needs a #! line)" : "");
    default:
      return fmt::format("cannot start '{}': {}", program, errno_text(code));
  }
}

bool contains_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

// How often the leader's exit is polled for when no pidfd could be opened to watch it.
constexpr std::chrono::milliseconds kExitPollInterval{10};

// What waitid(WNOWAIT) says about an unreaped child: exited (a zombie, status not consumed),
// still running, or not ours to ask about any more (ECHILD: reaped behind our back).
enum class LeaderState { Running, Exited, Gone };

LeaderState leader_state(pid_t pid, int pidfd) {
#ifndef P_PIDFD
  constexpr idtype_t P_PIDFD = static_cast<idtype_t>(3);  // Linux >= 5.4
#endif
  for (;;) {
    siginfo_t info{};
    int r = -1;
    if (pidfd >= 0) {
      r = ::waitid(P_PIDFD, static_cast<id_t>(pidfd), &info, WEXITED | WNOHANG | WNOWAIT);
      if (r == -1 && errno == EINVAL) {
        pidfd = -1;  // kernel without P_PIDFD: the pid is ours until we reap it
        continue;
      }
    } else {
      r = ::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT);
    }
    if (r == 0) {
      return info.si_pid == 0 ? LeaderState::Running : LeaderState::Exited;
    }
    if (errno != EINTR) {
      return LeaderState::Gone;
    }
  }
}

}  // namespace

struct LocalRunner::Run {
  explicit Run(asio::io_context& io)
      : out(io),
        exit_watch(io),
        exit_poll_timer(io),
        timeout_timer(io),
        heartbeat_timer(io),
        kill_timer(io),
        drain_timer(io) {}

  RunId id = 0;
  LocalRunner* owner = nullptr;  // nulled when the runner dies: late handlers then do nothing
  RunCallbacks callbacks;
  std::optional<bp::basic_process<asio::io_context::executor_type>> process;
  // Also the process group id. Set only while the leader is our unreaped child: -1 from the
  // moment Boost reaps it (inside reap()), so nothing can signal a number that may be reused.
  pid_t pid = -1;
  std::chrono::milliseconds grace{0};
  Clock::time_point started;

  asio::readable_pipe out;
  asio::posix::stream_descriptor exit_watch;  // a pidfd: readable once the leader exited
  asio::steady_timer exit_poll_timer;         // instead of exit_watch when no pidfd
  asio::steady_timer timeout_timer;
  asio::steady_timer heartbeat_timer;  // see arm_heartbeat()
  asio::steady_timer kill_timer;   // SIGTERM -> SIGKILL
  asio::steady_timer drain_timer;  // exit -> give up on stdout EOF
  std::array<char, 64 * 1024> chunk{};
  std::string partial;      // an incomplete line
  bool discarding = false;  // inside an overlong line, already delivered truncated

  bool has_timeout = false;
  Clock::time_point timeout_deadline;  // while running
  Clock::duration timeout_left{0};     // while paused: the running time it has left
  std::uint64_t timeout_generation = 0;

  bool has_heartbeat = false;
  Clock::duration heartbeat{0};
  Clock::time_point last_output;        // while running: launch, or when the last line came
  Clock::duration silence_at_pause{0};  // while paused: the silence it had run up
  std::uint64_t heartbeat_generation = 0;

  bool paused = false;        // SIGSTOPped by pause(), not resumed or stopped since

  bool group_killed = false;  // SIGKILLed while the leader was an unreaped zombie (or gone)
  bool exited = false;        // leader reaped (or never started)
  bool eof = false;     // stdout done
  bool finished = false;
  ExitStatus status;

  // False if there was nothing (left) to signal.
  bool kill_group(int sig) const {
    return pid > 0 && ::kill(-pid, sig) == 0;  // ESRCH (group already empty) is fine
  }
  // Whether pause/resume/stop may still signal the group: not exiting, not being stopped.
  bool controllable() const { return pid > 0 && !exited && !group_killed && !status.stopped; }
};

LocalRunner::LocalRunner(asio::io_context& io, LocalRunnerOptions options)
    : io_(io), options_(std::move(options)) {
  if (options_.max_line_bytes == 0) {
    options_.max_line_bytes = 1;
  }
}

LocalRunner::~LocalRunner() {
  for (auto& [id, run] : runs_) {
    run->owner = nullptr;
    if (!run->exited) {
      run->kill_group(SIGKILL);
    }
  }
  // Reap synchronously: running the io_context here could run unrelated handlers and user
  // callbacks against half-destroyed owners.
  const auto deadline = Clock::now() + options_.shutdown_timeout;
  for (auto& [id, run] : runs_) {
    while (!run->exited && run->pid > 0) {
      int status = 0;
      const pid_t r = ::waitpid(run->pid, &status, WNOHANG);
      if (r == run->pid || (r == -1 && errno != EINTR)) {
        run->exited = true;
      } else if (Clock::now() >= deadline) {
        break;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    if (run->process) {
      // Reaped: the pid is stale. Not reaped in time (uninterruptible sleep): leave a zombie
      // rather than block in basic_process' destructor, which waitpids without a bound.
      // Not destroyed here: a queued Boost wait completion may still write into it; the Run
      // (and it) goes when the last handler holding the Run does.
      run->process->detach();
    }
    boost::system::error_code ignored;
    run->out.close(ignored);
    run->exit_watch.close(ignored);
    run->exit_poll_timer.cancel();
    run->timeout_timer.cancel();
    run->heartbeat_timer.cancel();
    run->kill_timer.cancel();
    run->drain_timer.cancel();
  }
  runs_.clear();
}

RunId LocalRunner::launch(LaunchSpec spec, RunCallbacks callbacks) {
  auto run = std::make_shared<Run>(io_);
  run->id = next_id_++;
  run->owner = this;
  run->callbacks = std::move(callbacks);
  run->grace = spec.grace;
  run->started = Clock::now();
  runs_.emplace(run->id, run);

  std::string error;
  try {
    error = start(*run, spec);
  } catch (const std::exception& e) {  // e.g. bad_alloc, asio failing to register a descriptor
    error = e.what();
    if (run->pid > 0) {  // the child started: take its whole group down with it
      run->kill_group(SIGKILL);
      run->process.reset();  // basic_process' destructor reaps the SIGKILLed leader
      run->pid = -1;
    }
  }
  if (!error.empty()) {
    run->status.kind = ExitStatus::Kind::LaunchFailed;
    run->status.error = std::move(error);
    run->exited = true;
    run->eof = true;
    // Reported from the event loop, never from inside launch(): the caller has not even
    // seen the RunId yet.
    asio::post(io_, [run] {
      if (run->owner != nullptr) {
        run->owner->maybe_finish(run);
      }
    });
    return run->id;
  }

  watch(run);
  read_stdout(run);
  if (spec.timeout.count() > 0) {
    run->has_timeout = true;
    arm_timeout(run, spec.timeout);
  }
  if (spec.heartbeat.count() > 0) {
    run->has_heartbeat = true;
    run->heartbeat = spec.heartbeat;
    run->last_output = Clock::now();  // the first window counts from launch
    arm_heartbeat(run);
  }
  return run->id;
}

// (Re)starts the timeout with `left` to go. Each arming gets a new generation: a completion
// of an earlier arming, already queued when pause() cancelled the timer, must not count.
void LocalRunner::arm_timeout(const RunPtr& run, Clock::duration left) {
  run->timeout_deadline = Clock::now() + left;
  const std::uint64_t generation = ++run->timeout_generation;
  run->timeout_timer.expires_at(run->timeout_deadline);
  run->timeout_timer.async_wait([run, generation](const boost::system::error_code& ec) {
    if (!ec && run->owner != nullptr && !run->exited && !run->paused &&
        generation == run->timeout_generation) {
      run->owner->request_stop(run, StopReason::Timeout);
    }
  });
}

// Arms the heartbeat timer for the end of the current silence window (last_output +
// heartbeat). Lines do not touch the timer, only last_output: on_heartbeat() sees whether a
// line came meanwhile and re-arms for the rest. Generations as for the timeout: pause()
// cancels, and a completion already queued must not count.
void LocalRunner::arm_heartbeat(const RunPtr& run) {
  const std::uint64_t generation = ++run->heartbeat_generation;
  run->heartbeat_timer.expires_at(run->last_output + run->heartbeat);
  run->heartbeat_timer.async_wait([run, generation](const boost::system::error_code& ec) {
    if (!ec && run->owner != nullptr && !run->exited && !run->paused &&
        generation == run->heartbeat_generation) {
      run->owner->on_heartbeat(run);
    }
  });
}

void LocalRunner::on_heartbeat(const RunPtr& run) {
  if (!run->controllable()) {
    return;  // exiting or already being stopped: nothing left to watch
  }
  const auto silent = Clock::now() - run->last_output;
  if (silent < run->heartbeat) {
    arm_heartbeat(run);  // a line came since the timer was armed: wait for the rest
    return;
  }
  run->status.silent_for = std::chrono::duration_cast<std::chrono::milliseconds>(silent);
  request_stop(run, StopReason::Heartbeat);
}

// Checks what can be checked in the parent (clear messages), prepares descriptors and the
// environment, forks and execs. Returns an error text, empty on success.
std::string LocalRunner::start(Run& run, const LaunchSpec& spec) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return "empty command";
  }
  for (const auto& arg : spec.argv) {
    if (contains_nul(arg)) {
      return "a command argument contains a NUL character";
    }
  }
  for (const auto& [key, value] : spec.env) {
    if (key.empty() || key.find('=') != std::string::npos || contains_nul(key) ||
        contains_nul(value)) {
      return fmt::format(
          "invalid environment variable '{}' (empty name, '=' in the name, or a NUL character)",
          key);
    }
  }

  std::error_code fs_error;
  if (!spec.working_dir.empty() && !std::filesystem::is_directory(spec.working_dir, fs_error)) {
    return fmt::format("working directory '{}' does not exist or is not a directory",
                       spec.working_dir.string());
  }

  const std::string& program = spec.argv.front();
  std::filesystem::path executable;
  if (program.find('/') != std::string::npos) {
    executable = program;  // execve resolves a relative one after the chdir, like we do here
    const auto where = executable.is_relative() && !spec.working_dir.empty()
                           ? spec.working_dir / executable
                           : executable;
    if (!std::filesystem::exists(where, fs_error)) {
      return fmt::format("program '{}' not found (looked at '{}')", program, where.string());
    }
    if (std::filesystem::is_directory(where, fs_error)) {
      return fmt::format("program '{}' is a directory", program);
    }
    if (::access(where.c_str(), X_OK) != 0) {
      return fmt::format("program '{}' is not executable (chmod +x?)", program);
    }
  } else {
    try {
      executable = resolve_program(program, options_.program_dirs);
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  // argv[0] stays as the user wrote it; the resolved path only goes to execve.
  std::vector<const char*> argv;
  argv.reserve(spec.argv.size() + 1);
  for (const auto& arg : spec.argv) {
    argv.push_back(arg.c_str());
  }
  argv.push_back(nullptr);

  std::vector<std::string> env_storage;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const auto name = text.substr(0, text.find('='));
    if (spec.env.find(std::string(name)) == spec.env.end()) {
      env_storage.emplace_back(text);
    }
  }
  for (const auto& [key, value] : spec.env) {
    env_storage.push_back(key + "=" + value);
  }
  std::vector<const char*> envp;
  envp.reserve(env_storage.size() + 1);
  for (const auto& entry : env_storage) {
    envp.push_back(entry.c_str());
  }
  envp.push_back(nullptr);

  // Every descriptor is close-on-exec in rungs: the child gets them only through dup2.
  UniqueFd null_in = above_stdio(UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
  if (null_in.get() < 0) {
    return fmt::format("cannot open /dev/null: {}", errno_text(errno));
  }
  UniqueFd err_file;
  if (!spec.stderr_path.empty()) {
    err_file = above_stdio(UniqueFd(
        ::open(spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)));
    if (err_file.get() < 0) {
      return fmt::format("cannot open stderr file '{}': {}", spec.stderr_path.string(),
                         errno_text(errno));
    }
  }
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) == -1) {
    return fmt::format("cannot create stdout pipe: {}", errno_text(errno));
  }
  UniqueFd read_end = above_stdio(UniqueFd(pipe_fds[0]));
  UniqueFd write_end = above_stdio(UniqueFd(pipe_fds[1]));
  if (read_end.get() < 0 || write_end.get() < 0) {
    return fmt::format("cannot create stdout pipe: {}", errno_text(errno));
  }

  const ChildSetup setup{::getpid(),
                         argv.data(),
                         envp.data(),
                         spec.working_dir.empty() ? nullptr : spec.working_dir.c_str(),
                         null_in.get(),
                         write_end.get(),
                         err_file.get()};

  bp::posix::default_launcher launcher;
  bp::error_code ec;
  const char** argv_ptr = argv.data();  // passed as-is: Boost would replace argv[0]
  std::optional<bp::basic_process<asio::io_context::executor_type>> process;
  try {
    process.emplace(launcher(io_.get_executor(), ec, executable, argv_ptr, setup));
  } catch (...) {
    // The child may be running (e.g. pidfd_open failed in basic_process): do not leak it.
    if (launcher.pid > 0) {
      ::kill(-launcher.pid, SIGKILL);
      ::waitpid(launcher.pid, nullptr, 0);
    }
    throw;
  }
  if (ec) {
    if (launcher.pid > 0) {
      ::waitpid(launcher.pid, nullptr, 0);  // the failed child has _exit()ed: reap it
    }
    return child_failure(ec.value(), program, spec);
  }

  run.pid = launcher.pid;
  run.process = std::move(process);
  run.out.assign(read_end.release());
  // Our own pidfd for "the leader exited, not yet reaped"; Boost's handle has its own.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, run.pid, 0));
  if (pidfd >= 0) {
    run.exit_watch.assign(pidfd);
  }
  return {};
}

// Waits for the leader to exit without reaping it, then SIGKILLs the rest of its group (the
// group id cannot be reused while the leader is an unreaped zombie) and reaps it.
//
// A wakeup of exit_watch is never taken on trust: Asio's epoll reactor recycles its
// per-descriptor state objects, and readiness harvested for a descriptor that is closed
// before the event is dispatched (e.g. another run's pidfd, closed by detach() in
// on_reaped) is applied to whichever descriptor got that state object next. Our wait_read
// on a fresh trial's pidfd then completes while that trial is still running. Killing the
// group on such a wakeup SIGKILLed healthy trials right after their start. So the exit is
// confirmed with waitid(WNOWAIT) first, and a spurious wakeup just waits again.
void LocalRunner::watch(const RunPtr& run) {
  if (!run->exit_watch.is_open()) {
    poll_exit(run);  // no pidfd: poll (never reap first: the group kill must come before)
    return;
  }
  run->exit_watch.async_wait(asio::posix::descriptor_base::wait_read,
                             [run](const boost::system::error_code& ec) {
                               if (ec == asio::error::operation_aborted ||
                                   run->owner == nullptr || run->pid <= 0) {
                                 return;
                               }
                               if (ec) {  // the pidfd cannot be waited on: poll instead
                                 boost::system::error_code ignored;
                                 run->exit_watch.close(ignored);
                                 run->owner->poll_exit(run);
                                 return;
                               }
                               run->owner->check_leader(run);
                             });
}

void LocalRunner::poll_exit(const RunPtr& run) {
  run->exit_poll_timer.expires_after(kExitPollInterval);
  run->exit_poll_timer.async_wait([run](const boost::system::error_code& ec) {
    if (ec || run->owner == nullptr || run->pid <= 0) {
      return;
    }
    run->owner->check_leader(run);
  });
}

void LocalRunner::check_leader(const RunPtr& run) {
  const int pidfd = run->exit_watch.is_open() ? run->exit_watch.native_handle() : -1;
  switch (leader_state(run->pid, pidfd)) {
    case LeaderState::Running:  // a spurious wakeup (see watch()), or the poll's next turn
      if (run->exit_watch.is_open()) {
        watch(run);
      } else {
        poll_exit(run);
      }
      return;
    case LeaderState::Exited:
      // The leader is an unreaped zombie: its group id is still ours.
      run->kill_group(SIGKILL);
      break;
    case LeaderState::Gone:
      // Reaped by someone else (rungs broke the contract in local_runner.hpp): the number may
      // belong to another process now, never signal it. reap() reports the error.
      break;
  }
  run->group_killed = true;
  boost::system::error_code ignored;
  run->exit_watch.close(ignored);
  reap(run);
}

// Called once the leader is known to have exited: Boost's async_wait starts with a
// waitpid(WNOHANG), which reaps it right here; the completion is only posted.
void LocalRunner::reap(const RunPtr& run) {
  run->process->async_wait([run](const bp::error_code& ec, int /*portable code*/) {
    if (ec == asio::error::operation_aborted || run->owner == nullptr) {
      return;
    }
    // The portable code mixes exit codes and signal numbers: decode the native status.
    run->owner->on_reaped(run, run->process->native_exit_code(),
                          ec ? fmt::format("cannot collect exit status: {}", ec.message())
                             : std::string());
  });
  // Reaped (or not ours any more): from here on the number may be reused at any moment, even
  // before on_reaped runs. stop(), the timers and the destructor must not signal it.
  run->pid = -1;
}

void LocalRunner::on_reaped(const RunPtr& run, int native_status, const std::string& error) {
  // No group kill here: the leader is reaped, its number (and group id) may be reused already.
  // check_leader() killed the group before the reap. basic_process' destructor would waitpid(WNOHANG) the stale pid and SIGKILL whatever
  // child of ours might have been given that number since: detach it. (The object itself
  // lives on with the Run: Boost's wait operation writes into it.)
  run->process->detach();
  run->exited = true;
  run->status.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run->started);
  run->exit_poll_timer.cancel();
  run->timeout_timer.cancel();
  run->heartbeat_timer.cancel();
  run->kill_timer.cancel();
  if (!error.empty()) {
    run->status.kind = ExitStatus::Kind::Unknown;
    run->status.error = error;
  } else if (WIFEXITED(native_status)) {
    run->status.kind = ExitStatus::Kind::Exited;
    run->status.code = WEXITSTATUS(native_status);
  } else if (WIFSIGNALED(native_status)) {
    run->status.kind = ExitStatus::Kind::Signaled;
    run->status.signal = WTERMSIG(native_status);
  } else {
    run->status.kind = ExitStatus::Kind::Unknown;
    run->status.error = fmt::format("unexpected wait status {:#x}", native_status);
  }
  run->pid = -1;  // reaped: the number may be reused, never signal it again (reap() did too)

  if (!run->eof) {
    run->drain_timer.expires_after(options_.drain_timeout);
    run->drain_timer.async_wait([run](const boost::system::error_code& ec) {
      if (ec || run->owner == nullptr || run->eof) {
        return;
      }
      if (run->status.error.empty()) {
        run->status.error =
            "stdout stayed open after the trial's processes were gone (held by a process that "
            "left the group); stopped reading";
      }
      boost::system::error_code ignored;
      run->out.close(ignored);  // the pending read completes with operation_aborted
    });
  }
  maybe_finish(run);
}

void LocalRunner::read_stdout(const RunPtr& run) {
  run->out.async_read_some(asio::buffer(run->chunk),
                           [run](const boost::system::error_code& ec, std::size_t bytes) {
                             if (run->owner == nullptr) {
                               return;
                             }
                             if (ec) {  // EOF, or closed by the drain timer
                               run->owner->on_stdout_end(run);
                               return;
                             }
                             run->owner->on_stdout(run, bytes);
                           });
}

void LocalRunner::on_stdout(const RunPtr& run, std::size_t bytes) {
  const std::size_t max = options_.max_line_bytes;
  std::string_view data(run->chunk.data(), bytes);
  // Adds a piece of the current line to `partial`, truncating at `max`.
  const auto append = [&](std::string_view piece) {
    if (run->discarding) {
      return;
    }
    const std::size_t room = max - run->partial.size();
    if (piece.size() <= room) {
      run->partial.append(piece);
      return;
    }
    run->partial.append(piece.substr(0, room));
    deliver_line(run, run->partial);
    run->partial.clear();
    run->discarding = true;
  };
  while (!data.empty()) {
    const auto newline = data.find('\n');
    if (newline == std::string_view::npos) {
      append(data);
      break;
    }
    const auto piece = data.substr(0, newline);
    data.remove_prefix(newline + 1);
    if (run->partial.empty() && !run->discarding && piece.size() <= max) {
      deliver_line(run, piece);  // common case: no copy
    } else {
      append(piece);
      if (!run->discarding) {
        deliver_line(run, run->partial);
      }
      run->partial.clear();
      run->discarding = false;
    }
    if (run->owner == nullptr) {
      return;  // a callback destroyed the runner
    }
  }
  if (run->owner != nullptr) {
    read_stdout(run);
  }
}

void LocalRunner::on_stdout_end(const RunPtr& run) {
  if (!run->partial.empty() && !run->discarding) {
    std::string last = std::move(run->partial);
    deliver_line(run, last);  // a last line without a newline
    if (run->owner == nullptr) {
      return;
    }
  }
  run->partial.clear();
  run->eof = true;
  run->drain_timer.cancel();
  boost::system::error_code ignored;
  run->out.close(ignored);
  maybe_finish(run);
}

void LocalRunner::deliver_line(const RunPtr& run, std::string_view line) {
  if (!line.empty() && line.back() == '\r') {
    line.remove_suffix(1);
  }
  if (run->has_heartbeat) {
    // One clock read per line is all a line costs the heartbeat (see arm_heartbeat()). A line
    // read while paused was printed before the pause: the silence as of the pause is none.
    if (run->paused) {
      run->silence_at_pause = Clock::duration::zero();
    } else {
      run->last_output = Clock::now();
    }
  }
  if (run->callbacks.on_line) {
    run->callbacks.on_line(line);
  }
}

void LocalRunner::stop(RunId id) {
  const auto found = runs_.find(id);
  if (found != runs_.end()) {
    request_stop(found->second, StopReason::Requested);
  }
}

void LocalRunner::stop_all() {
  for (const auto& [id, run] : runs_) {
    request_stop(run, StopReason::Requested);
  }
}

bool LocalRunner::pause(RunId id) {
  const auto found = runs_.find(id);
  if (found == runs_.end()) {
    return false;
  }
  const RunPtr& run = found->second;
  if (!run->controllable() || run->paused || !run->kill_group(SIGSTOP)) {
    return false;
  }
  run->paused = true;
  if (run->has_timeout) {
    run->timeout_left = std::max(Clock::duration::zero(), run->timeout_deadline - Clock::now());
    ++run->timeout_generation;
    run->timeout_timer.cancel();
  }
  if (run->has_heartbeat) {
    run->silence_at_pause = std::max(Clock::duration::zero(), Clock::now() - run->last_output);
    ++run->heartbeat_generation;
    run->heartbeat_timer.cancel();
  }
  return true;
}

bool LocalRunner::resume(RunId id) {
  const auto found = runs_.find(id);
  if (found == runs_.end()) {
    return false;
  }
  const RunPtr& run = found->second;
  if (!run->controllable() || !run->paused) {
    return false;
  }
  run->kill_group(SIGCONT);
  run->paused = false;
  if (run->has_timeout) {
    arm_timeout(run, run->timeout_left);  // 0 left (it ran out just as it was paused): now
  }
  if (run->has_heartbeat) {
    // The silence goes on from where the pause froze it (a window that ran out just as it
    // was paused ends at once).
    run->last_output = Clock::now() - run->silence_at_pause;
    arm_heartbeat(run);
  }
  return true;
}

void LocalRunner::request_stop(const RunPtr& run, StopReason reason) {
  if (!run->controllable()) {
    return;  // gone, being reaped, failed to launch, or already stopping
  }
  run->status.stopped = true;
  run->status.timed_out = reason == StopReason::Timeout;
  run->status.stale = reason == StopReason::Heartbeat;
  // The first reason wins: the other limit has nothing left to do.
  run->timeout_timer.cancel();
  run->heartbeat_timer.cancel();
  // A stopped process keeps a handled SIGTERM pending until it continues: TERM first, then
  // CONT, so that it wakes up to handle it. (SIGKILL needs no CONT: it ends stopped tasks.)
  const bool paused = std::exchange(run->paused, false);
  if (run->grace.count() <= 0) {
    run->kill_group(SIGKILL);
    return;
  }
  run->kill_group(SIGTERM);
  if (paused) {
    run->kill_group(SIGCONT);
  }
  run->kill_timer.expires_after(run->grace);
  run->kill_timer.async_wait([run](const boost::system::error_code& ec) {
    if (!ec && run->owner != nullptr && !run->exited && !run->group_killed) {
      run->kill_group(SIGKILL);  // a no-op once reap() cleared the pid
    }
  });
}

void LocalRunner::maybe_finish(const RunPtr& run) {
  if (!run->exited || !run->eof || run->finished) {
    return;
  }
  run->finished = true;
  run->timeout_timer.cancel();
  run->heartbeat_timer.cancel();
  run->kill_timer.cancel();
  run->drain_timer.cancel();
  if (run->status.kind == ExitStatus::Kind::LaunchFailed) {
    run->status.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run->started);
  }
  runs_.erase(run->id);
  auto on_exit = std::move(run->callbacks.on_exit);
  run->callbacks = {};
  if (on_exit) {
    on_exit(run->status);  // last: it may launch new runs or destroy the runner
  }
}

std::size_t LocalRunner::running() const { return runs_.size(); }

int LocalRunner::pid_of(RunId id) const {
  const auto found = runs_.find(id);
  return found == runs_.end() ? -1 : found->second->pid;
}

}  // namespace rungs::runners
