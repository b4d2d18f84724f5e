#include "runners/group_leader.hpp"

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <thread>
#include <utility>

#include <fmt/format.h>

namespace rungs::runners {

namespace asio = boost::asio;

namespace {

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

GroupLeader::GroupLeader(asio::io_context& io, Process process)
    : process_(std::move(process)), exit_watch_(io), exit_poll_timer_(io) {
  pid_ = process_->id();
  // Our own pidfd for "the leader exited, not yet reaped"; Boost's handle has its own.
  const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd >= 0) {
    exit_watch_.assign(pidfd);
  }
}

bool GroupLeader::kill_group(int sig) const {
  return pid_ > 0 && ::kill(-pid_, sig) == 0;  // ESRCH (group already empty) is fine
}

void GroupLeader::watch(OnReaped on_reaped) {
  on_reaped_ = std::move(on_reaped);
  wait_exit();
}

void GroupLeader::wait_exit() {
  if (!exit_watch_.is_open()) {
    poll_exit();  // no pidfd: poll (never reap first: the group kill must come before)
    return;
  }
  exit_watch_.async_wait(asio::posix::descriptor_base::wait_read,
                         [self = shared_from_this()](const boost::system::error_code& ec) {
                           if (ec == asio::error::operation_aborted || self->abandoned_ ||
                               self->pid_ <= 0) {
                             return;
                           }
                           if (ec) {  // the pidfd cannot be waited on: poll instead
                             boost::system::error_code ignored;
                             self->exit_watch_.close(ignored);
                             self->poll_exit();
                             return;
                           }
                           self->check();
                         });
}

void GroupLeader::poll_exit() {
  exit_poll_timer_.expires_after(kExitPollInterval);
  exit_poll_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec || self->abandoned_ || self->pid_ <= 0) {
      return;
    }
    self->check();
  });
}

void GroupLeader::check() {
  const int pidfd = exit_watch_.is_open() ? exit_watch_.native_handle() : -1;
  switch (leader_state(pid_, pidfd)) {
    case LeaderState::Running:  // a spurious wakeup, or the poll's next turn
      wait_exit();
      return;
    case LeaderState::Exited:
      kill_group(SIGKILL);  // the leader is an unreaped zombie: its group id is still ours
      break;
    case LeaderState::Gone:
      // Reaped by someone else (rungs broke the contract above): the number may belong to
      // another process now, never signal it. reap() reports the error.
      break;
  }
  group_killed_ = true;
  boost::system::error_code ignored;
  exit_watch_.close(ignored);
  reap();
}

// Called once the leader is known to have exited: Boost's async_wait starts with a
// waitpid(WNOHANG), which reaps it right here; the completion is only posted.
void GroupLeader::reap() {
  process_->async_wait([self = shared_from_this()](const boost::process::v2::error_code& ec,
                                                   int /*portable code*/) {
    if (ec == asio::error::operation_aborted || self->abandoned_) {
      return;
    }
    // basic_process' destructor would waitpid(WNOHANG) the stale pid and SIGKILL whatever
    // child of ours might have been given that number since: detach it. (The object itself
    // lives on with this GroupLeader: Boost's wait operation writes into it.)
    self->process_->detach();
    // The portable code mixes exit codes and signal numbers: pass the native status.
    auto on_reaped = std::move(self->on_reaped_);
    self->on_reaped_ = nullptr;
    if (on_reaped) {
      on_reaped(self->process_->native_exit_code(),
                ec ? fmt::format("cannot collect exit status: {}", ec.message()) : std::string());
    }
  });
  // Reaped (or not ours any more): from here on the number may be reused at any moment, even
  // before the completion runs. Nothing may signal it.
  pid_ = -1;
}

void GroupLeader::kill() const {
  kill_group(SIGKILL);
}

void GroupLeader::abandon(std::chrono::steady_clock::time_point deadline) {
  abandoned_ = true;
  on_reaped_ = nullptr;
  // Reap synchronously: running the io_context here could run unrelated handlers and user
  // callbacks against half-destroyed owners.
  while (pid_ > 0) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r == -1 && errno != EINTR)) {
      pid_ = -1;
    } else if (std::chrono::steady_clock::now() >= deadline) {
      break;
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }
  pid_ = -1;
  if (process_) {
    // Reaped: the pid is stale. Not reaped in time: leave a zombie rather than block in
    // basic_process' destructor, which waitpids without a bound. Not destroyed here: a
    // queued Boost wait completion may still write into it.
    process_->detach();
  }
  boost::system::error_code ignored;
  exit_watch_.close(ignored);
  exit_poll_timer_.cancel();
}

}  // namespace rungs::runners
