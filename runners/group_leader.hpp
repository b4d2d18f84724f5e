#pragma once
// The process rungs starts for a run (its rungs-supervisor), which leads its own process
// group: waiting for its exit, ending the rest of its group, reaping it. The one place where
// rungs signals process numbers, so the one place that must make sure a number still names
// what it started. (The trial itself is the supervisor's child, in a group of its own, and is
// never signalled by rungs directly.)
//
// The rule: a group is only signalled while its leader is our child and not yet reaped (a
// live process or a zombie). The group id cannot be reused while the leader is an unreaped
// zombie, so signalling -pid is safe until the reap, and never after it: pid() is -1 from the
// moment the leader is reaped.
//
// Exit: a pidfd (Linux >= 5.3) becomes readable when the leader exits; without one the exit
// is polled. A wakeup is never taken on trust: Asio's epoll reactor recycles its
// per-descriptor state objects, and readiness harvested for a descriptor closed before the
// event is dispatched (another run's pidfd) can be applied to whichever descriptor got that
// state object next. Killing the group on such a wakeup SIGKILLed healthy trials right after
// their start. So the exit is confirmed with waitid(WEXITED | WNOWAIT) first, and a spurious
// wakeup just waits again. Stopped processes are never taken for exited ones (WEXITED only,
// in Boost.Process' waitpid calls too).
//
// Once the exit is confirmed, the rest of the group is SIGKILLed (no orphan survives its
// leader; this also ends a stdout pipe held by a grandchild), then the leader is reaped.
//
// Used by LocalRunner: one GroupLeader per started supervisor, driven from the runner's event loop
// thread. Nothing here reaps children it did not start; rungs must not set SIGCHLD to SIG_IGN
// or call waitpid(-1).
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "runners/boost_process.hpp"

namespace rungs::runners {

class GroupLeader : public std::enable_shared_from_this<GroupLeader> {
 public:
  using Process = boost::process::v2::basic_process<boost::asio::io_context::executor_type>;
  // The leader's raw wait status (for WIFEXITED...), or an error text when it could not be
  // collected (then the status is meaningless).
  using OnReaped = std::function<void(int native_status, const std::string& error)>;

  // Takes a launched process whose pid leads its own group. Opens a pidfd to watch it.
  GroupLeader(boost::asio::io_context& io, Process process);

  // The leader's pid (= group id) while it is our unreaped child, else -1.
  pid_t pid() const { return pid_; }
  // Sends `sig` to the whole group; false if there was nothing (left) to signal.
  bool kill_group(int sig) const;
  // The group was SIGKILLed at the leader's exit (or the leader is gone): stop/pause/resume
  // have nothing left to act on.
  bool group_killed() const { return group_killed_; }

  // Starts waiting; `on_reaped` is called once, from the event loop, after the leader's exit
  // was confirmed, the rest of its group SIGKILLed and the leader reaped.
  void watch(OnReaped on_reaped);

  // For the owner's destructor, in two passes over all its runs so that every group gets
  // its SIGKILL before anything waits: kill() SIGKILLs the group unless the leader is reaped;
  // abandon() reaps the leader synchronously (bounded by `deadline`: a process in
  // uninterruptible sleep is left a zombie rather than block), drops the callback and
  // cancels every wait. Late completions do nothing afterwards.
  void kill() const;
  void abandon(std::chrono::steady_clock::time_point deadline);

 private:
  void wait_exit();
  void poll_exit();
  void check();
  void reap();

  OnReaped on_reaped_;
  std::optional<Process> process_;
  pid_t pid_ = -1;
  bool group_killed_ = false;
  bool abandoned_ = false;
  boost::asio::posix::stream_descriptor exit_watch_;  // a pidfd: readable once the leader exited
  boost::asio::steady_timer exit_poll_timer_;         // instead of exit_watch_ when no pidfd
};

}  // namespace rungs::runners
