// rungs-supervisor: runs one trial and makes sure nothing of it outlives the run.
//
//   rungs-supervisor [--grace MS] [--record PATH] [--token TOKEN] [--detached]
//                    --exec PROGRAM -- ARGV...
//
// rungs (runners/local_runner.cpp) launches this instead of the trial; a Slurm job can run it
// too (--detached). It
//  - becomes a child subreaper (PR_SET_CHILD_SUBREAPER): every descendant of the trial that is
//    orphaned (a double fork, a daemon, a setsid() grandchild whose parent exited) is
//    re-parented to it, so "the run's processes" are exactly its descendants;
//  - starts PROGRAM with ARGV exactly as given (ARGV[0] included, no shell) in a new process
//    group, with stdin /dev/null, stdout and stderr its own fds 1 and 2 (rungs makes fd 1 the
//    trial's output file), signals reset, no other descriptor, and RUNGS_RUN_TOKEN=TOKEN
//    added to its environment (so that leftovers can be found if this supervisor is itself
//    SIGKILLed: runners/leftovers.hpp);
//  - obeys one-byte commands on fd 0 (the control pipe from rungs): 'T' stop (SIGTERM and
//    SIGCONT to every descendant, SIGKILL to all after the grace), 'K' kill now, 'P' pause
//    (SIGSTOP to every descendant), 'C' continue. EOF on fd 0 means rungs is gone (even by
//    SIGKILL): a stop. SIGTERM, SIGINT and SIGHUP to the supervisor are a stop too (scancel,
//    a resume ending what a dead rungs left). SIGUSR1 and SIGUSR2 are passed to the trial's
//    main process (a Slurm job's warning before its time limit). --detached: fd 0 is not a
//    control pipe;
//  - when the trial's main process exits, SIGKILLs whatever is left of the tree at once,
//    reaps everything, and only then ends: once it has exited, no process of the run is left
//    and the output file is complete;
//  - reports on fd 3 (a pipe to rungs; absent with --detached) one line per event:
//    "started PID" once the trial runs, then "exit CODE", "signal SIG" or "failed TEXT";
//  - writes the same facts to --record PATH (replaced atomically): its own identity and the
//    trial's (pid, start time, boot id), the token, and at the end the exit status, so that a
//    later rungs can identify survivors safely and a Slurm job's status is known after Slurm
//    forgot the job;
//  - exits with the trial's exit code, or dies of the trial's signal (without a core dump), so
//    that whoever waits for it sees what the trial did.
//
// Signals to descendants other than its own children go through signal_exactly() (a pidfd on
// a process whose start time was checked): a pid reused meanwhile is never hit.
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "runners/process_tree.hpp"

extern char** environ;

namespace {

using rungs::runners::ProcessInfo;
using Clock = std::chrono::steady_clock;

struct Options {
  long grace_ms = 5000;
  std::string record;
  std::string token;
  bool detached = false;
  std::string exec;
  std::vector<std::string> argv;
};

int usage(const char* why) {
  std::fprintf(stderr, "rungs-supervisor: %s\nusage: rungs-supervisor [--grace MS] [--record PATH] "
                       "[--token TOKEN] [--detached] --exec PROGRAM -- ARGV...\n", why);
  return 2;
}

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (fd >= 0 && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;  // rungs is gone (EPIPE): the record file still has it
    }
    done += static_cast<std::size_t>(n);
  }
}

class Supervisor {
 public:
  explicit Supervisor(Options options) : options_(std::move(options)) {}
  int run();

 private:
  bool start_trial();
  void event(const std::string& line);  // to the status pipe and the record
  void write_record();
  void on_control();
  void stop();
  void kill_all();
  void pass_on(int sig);
  void signal_tree(int sig);
  void reap();
  [[noreturn]] void finish();

  Options options_;
  int status_fd_ = -1;
  bool control_open_ = false;
  std::string record_;  // what the record file holds so far
  pid_t trial_ = -1;
  bool trial_done_ = false;
  int trial_status_ = 0;  // as waitpid gives it
  bool stopping_ = false;
  bool killing_ = false;
  Clock::time_point kill_at_;
};

int Supervisor::run() {
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) == -1) {
    std::perror("rungs-supervisor: PR_SET_CHILD_SUBREAPER");  // go on: the group kill remains
  }
  if (!options_.detached) {
    control_open_ = true;
    if (::fcntl(3, F_GETFD) != -1) {
      status_fd_ = 3;
      ::fcntl(3, F_SETFD, FD_CLOEXEC);
    }
  }
  ::signal(SIGPIPE, SIG_IGN);  // a status line to a rungs that died must not kill us
  sigset_t handled;
  sigemptyset(&handled);
  for (const int sig : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2}) {
    sigaddset(&handled, sig);
  }
  ::sigprocmask(SIG_BLOCK, &handled, nullptr);
  const int signals = ::signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signals < 0) {
    event("failed rungs-supervisor: signalfd: " + std::string(std::strerror(errno)));
    return 127;
  }
  const auto boot = rungs::runners::boot_id();
  const auto self = rungs::runners::read_process(::getpid());
  record_ = "supervisor " + std::to_string(::getpid()) + " " +
            std::to_string(self ? self->start_time : 0) + "\nboot " + boot + "\n";
  if (!options_.token.empty()) {
    record_ += "token " + options_.token + "\n";
  }
  if (!start_trial()) {
    return 127;
  }

  for (;;) {
    pollfd fds[2] = {{signals, POLLIN, 0}, {control_open_ ? 0 : -1, POLLIN, 0}};
    int timeout = -1;
    if (stopping_ && !killing_) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(kill_at_ - Clock::now());
      timeout = static_cast<int>(std::max<long long>(0, left.count()));
    }
    const int n = ::poll(fds, 2, timeout);
    if (n < 0 && errno != EINTR) {
      kill_all();
    }
    if (stopping_ && !killing_ && Clock::now() >= kill_at_) {
      kill_all();
    }
    if (n > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      on_control();
    }
    if (n > 0 && (fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo info{};
      while (::read(signals, &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGUSR1 || info.ssi_signo == SIGUSR2) {
          pass_on(static_cast<int>(info.ssi_signo));
        } else if (info.ssi_signo != SIGCHLD) {
          stop();
        }
      }
      reap();
    }
  }
}

bool Supervisor::start_trial() {
  std::vector<std::string> env_storage;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, "RUNGS_RUN_TOKEN=", 16) != 0) {
      env_storage.emplace_back(*e);
    }
  }
  if (!options_.token.empty()) {
    env_storage.push_back("RUNGS_RUN_TOKEN=" + options_.token);
  }
  std::vector<char*> envp;
  for (auto& e : env_storage) {
    envp.push_back(e.data());
  }
  envp.push_back(nullptr);
  std::vector<char*> argv;
  for (auto& a : options_.argv) {
    argv.push_back(a.data());
  }
  argv.push_back(nullptr);

  int error_pipe[2];
  if (::pipe2(error_pipe, O_CLOEXEC) == -1) {
    event("failed cannot create a pipe: " + std::string(std::strerror(errno)));
    return false;
  }
  const pid_t supervisor = ::getpid();
  const pid_t child = ::fork();
  if (child == -1) {
    event("failed cannot fork: " + std::string(std::strerror(errno)));
    return false;
  }
  if (child == 0) {  // async-signal-safe calls only from here
    const auto fail = [&](int err) {
      [[maybe_unused]] const auto w = ::write(error_pipe[1], &err, sizeof err);
      ::_exit(127);
    };
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // the supervisor SIGKILLed: the trial goes with it
    if (::getppid() != supervisor) {
      fail(ESRCH);
    }
    struct sigaction default_action {};
    default_action.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      ::sigaction(sig, &default_action, nullptr);
    }
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in < 0 || ::dup2(null_in, 0) == -1) {
      fail(errno);
    }
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == -1) {
      for (int fd = 3; fd < 65536; ++fd) {
        if (fd != error_pipe[1]) {
          ::close(fd);
        }
      }
    }
    ::execve(options_.exec.c_str(), argv.data(), envp.data());
    fail(errno);
  }
  ::setpgid(child, child);  // also here: no window where a group signal misses it
  ::close(error_pipe[1]);
  int err = 0;
  ssize_t got = 0;
  do {
    got = ::read(error_pipe[0], &err, sizeof err);
  } while (got < 0 && errno == EINTR);
  ::close(error_pipe[0]);
  trial_ = child;
  if (got == static_cast<ssize_t>(sizeof err)) {
    ::waitpid(child, nullptr, 0);
    std::string text = "cannot execute '" + options_.argv.front() + "': " + std::strerror(err);
    if (err == ENOEXEC) {
      text += " (a script needs a #! line)";
    }
    event("failed " + text);
    return false;
  }
  const auto info = rungs::runners::read_process(child);
  record_ += "trial " + std::to_string(child) + " " + std::to_string(info ? info->start_time : 0) + "\n";
  event("started " + std::to_string(child));
  return true;
}

void Supervisor::event(const std::string& line) {
  if (line.rfind("started ", 0) != 0) {
    record_ += "end " + line + "\n";
  }
  write_record();
  write_all(status_fd_, line + "\n");
}

void Supervisor::write_record() {
  if (options_.record.empty()) {
    return;
  }
  const std::string tmp = options_.record + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return;
  }
  write_all(fd, record_);
  ::close(fd);
  ::rename(tmp.c_str(), options_.record.c_str());
}

void Supervisor::on_control() {
  char commands[64];
  const ssize_t n = ::read(0, commands, sizeof commands);
  if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
    return;
  }
  if (n <= 0) {  // EOF: rungs is gone, whatever way it went
    control_open_ = false;
    stop();
    return;
  }
  for (ssize_t i = 0; i < n; ++i) {
    switch (commands[i]) {
      case 'T': stop(); break;
      case 'K': kill_all(); break;
      case 'P': if (!stopping_) signal_tree(SIGSTOP); break;
      case 'C': signal_tree(SIGCONT); break;
      default: break;
    }
  }
}

// SIGTERM to every descendant (a paused one gets SIGCONT after it, to handle the TERM), and
// SIGKILL to all once the grace is over.
void Supervisor::stop() {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  if (options_.grace_ms <= 0 || trial_done_) {
    kill_all();
    return;
  }
  signal_tree(SIGTERM);
  signal_tree(SIGCONT);
  kill_at_ = Clock::now() + std::chrono::milliseconds(options_.grace_ms);
}

// A warning for the trial (Slurm's --signal=B:USR1@T before a time limit reaches only the
// batch shell, which is this supervisor): to its main process only, which asked for it by
// running under a limit; its helpers may not handle it (USR1 would kill them).
void Supervisor::pass_on(int sig) {
  if (!trial_done_ && trial_ > 0) {
    ::kill(trial_, sig);  // our unreaped child: the pid cannot have been reused
  }
}

void Supervisor::kill_all() {
  stopping_ = true;
  killing_ = true;
  signal_tree(SIGKILL);
}

// `sig` to the trial's group (while its leader is unreaped, its group id is ours) and to every
// descendant, scanning again until a scan finds nobody new: a process forking meanwhile cannot
// slip through a pause or a kill.
void Supervisor::signal_tree(int sig) {
  if (!trial_done_ && trial_ > 0) {
    ::kill(-trial_, sig);
  }
  std::set<std::pair<pid_t, std::uint64_t>> done;
  for (int round = 0; round < 100; ++round) {
    bool found = false;
    for (const auto& process : rungs::runners::descendants(::getpid())) {
      if (process.state == 'Z' || !done.insert({process.pid, process.start_time}).second) {
        continue;
      }
      found = true;
      rungs::runners::signal_exactly(process, sig);
    }
    if (!found) {
      return;
    }
  }
}

void Supervisor::reap() {
  for (;;) {
    siginfo_t info{};
    // Look before reaping: the trial's group must be killed while its leader is a zombie.
    if (::waitid(P_ALL, 0, &info, WEXITED | WNOHANG | WNOWAIT) == -1) {
      if (errno == EINTR) {
        continue;
      }
      break;  // ECHILD: nothing of the run is left
    }
    if (info.si_pid == 0) {
      return;  // children remain, none has exited yet
    }
    if (info.si_pid == trial_ && !trial_done_) {
      ::kill(-trial_, SIGKILL);
      int status = 0;
      ::waitpid(trial_, &status, 0);
      trial_done_ = true;
      trial_status_ = status;
      // What is left of the run goes now. No child left means no descendant left (an orphan
      // would have been re-parented to us): then no scan of /proc is needed.
      siginfo_t any{};
      if (::waitid(P_ALL, 0, &any, WEXITED | WNOHANG | WNOWAIT) == 0) {
        kill_all();
      }
      continue;
    }
    ::waitpid(info.si_pid, nullptr, 0);
  }
  if (trial_done_) {
    finish();
  }
  // No child at all but the trial not seen exiting cannot happen; if it did, end.
  trial_done_ = true;
  trial_status_ = W_EXITCODE(127, 0);
  finish();
}

void Supervisor::finish() {
  if (WIFSIGNALED(trial_status_)) {
    const int sig = WTERMSIG(trial_status_);
    event("signal " + std::to_string(sig));
    // Die of the same signal, without a core dump, so that a waiting parent sees it.
    const rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    ::sigprocmask(SIG_UNBLOCK, &set, nullptr);
    ::raise(sig);
    ::_exit(128 + sig);  // a signal that does not terminate (none should reach here)
  }
  const int code = WIFEXITED(trial_status_) ? WEXITSTATUS(trial_status_) : 127;
  event("exit " + std::to_string(code));
  ::_exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  int i = 1;
  for (; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "--detached") {
      options.detached = true;
    } else if (i + 1 < argc && arg == "--grace") {
      options.grace_ms = std::strtol(argv[++i], nullptr, 10);
    } else if (i + 1 < argc && arg == "--record") {
      options.record = argv[++i];
    } else if (i + 1 < argc && arg == "--token") {
      options.token = argv[++i];
    } else if (i + 1 < argc && arg == "--exec") {
      options.exec = argv[++i];
    } else {
      return usage(("unknown option " + arg).c_str());
    }
  }
  for (; i < argc; ++i) {
    options.argv.emplace_back(argv[i]);
  }
  if (options.argv.empty()) {
    return usage("no command after --");
  }
  if (options.exec.empty()) {
    options.exec = options.argv.front();
  }
  return Supervisor(std::move(options)).run();
}
