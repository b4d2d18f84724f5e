#include "runners/local_runner.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <optional>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "runners/child_setup.hpp"
#include "runners/exec_plan.hpp"
#include "runners/group_leader.hpp"
#include "runners/line_splitter.hpp"
#include "runners/run_limits.hpp"
#include "runners/unique_fd.hpp"

namespace rungs::runners {

namespace asio = boost::asio;
namespace bp = boost::process::v2;
using Clock = std::chrono::steady_clock;

struct LocalRunner::Run {
  Run(asio::io_context& io, const LaunchSpec& spec, std::size_t max_line_bytes)
      : out(io),
        timeout_timer(io),
        heartbeat_timer(io),
        kill_timer(io),
        drain_timer(io),
        started(Clock::now()),
        grace(spec.grace),
        splitter(max_line_bytes),
        limits(spec.timeout, spec.heartbeat, started) {}

  RunId id = 0;
  LocalRunner* owner = nullptr;  // nulled when the runner dies: late handlers then do nothing
  RunCallbacks callbacks;
  std::shared_ptr<GroupLeader> leader;  // set once the process started

  asio::readable_pipe out;
  asio::steady_timer timeout_timer;
  asio::steady_timer heartbeat_timer;  // see RunLimits
  asio::steady_timer kill_timer;       // SIGTERM -> SIGKILL
  asio::steady_timer drain_timer;      // exit -> give up on stdout EOF
  Clock::time_point started;
  std::chrono::milliseconds grace;
  std::array<char, 64 * 1024> chunk{};
  LineSplitter splitter;
  RunLimits limits;
  // Each arming of a timer gets a new generation: a completion of an earlier arming, already
  // queued when pause() cancelled the timer, must not count.
  std::uint64_t timeout_generation = 0;
  std::uint64_t heartbeat_generation = 0;

  bool exited = false;  // leader reaped (or never started)
  bool eof = false;     // stdout done
  bool finished = false;
  ExitStatus status;

  // False if there was nothing (left) to signal.
  bool kill_group(int sig) const { return leader && leader->kill_group(sig); }
  // Whether pause/resume/stop may still signal the group: not exiting, not being stopped.
  bool controllable() const {
    return leader && leader->pid() > 0 && !exited && !leader->group_killed() && !status.stopped;
  }
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
    if (run->leader) {
      run->leader->kill();
    }
  }
  const auto deadline = Clock::now() + options_.shutdown_timeout;
  for (auto& [id, run] : runs_) {
    if (run->leader) {
      run->leader->abandon(deadline);
    }
    boost::system::error_code ignored;
    run->out.close(ignored);
    run->timeout_timer.cancel();
    run->heartbeat_timer.cancel();
    run->kill_timer.cancel();
    run->drain_timer.cancel();
  }
  runs_.clear();
}

RunId LocalRunner::launch(LaunchSpec spec, RunCallbacks callbacks) {
  auto run = std::make_shared<Run>(io_, spec, options_.max_line_bytes);
  run->id = next_id_++;
  run->owner = this;
  run->callbacks = std::move(callbacks);
  runs_.emplace(run->id, run);

  std::string error;
  try {
    error = start(*run, spec);
  } catch (const std::exception& e) {  // e.g. bad_alloc, asio failing to register a descriptor
    error = e.what();
    if (run->leader) {  // the child started: take its whole group down with it
      run->leader->kill();
      run->leader->abandon(Clock::now() + options_.shutdown_timeout);
      run->leader.reset();
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

  run->leader->watch([run](int native_status, const std::string& reap_error) {
    if (run->owner != nullptr) {
      run->owner->on_reaped(run, native_status, reap_error);
    }
  });
  read_stdout(run);
  if (run->limits.has_timeout()) {
    arm_timeout(run);
  }
  if (run->limits.has_heartbeat()) {
    arm_heartbeat(run);
  }
  return run->id;
}

void LocalRunner::arm_timeout(const RunPtr& run) {
  const std::uint64_t generation = ++run->timeout_generation;
  run->timeout_timer.expires_at(run->limits.timeout_deadline());
  run->timeout_timer.async_wait([run, generation](const boost::system::error_code& ec) {
    if (!ec && run->owner != nullptr && !run->exited && !run->limits.paused() &&
        generation == run->timeout_generation) {
      run->owner->request_stop(run, StopReason::Timeout);
    }
  });
}

// One timer per run, never touched by a line (see RunLimits): when it fires, either the window
// ran out or a line came meanwhile and it is armed again for the rest.
void LocalRunner::arm_heartbeat(const RunPtr& run) {
  const std::uint64_t generation = ++run->heartbeat_generation;
  run->heartbeat_timer.expires_at(run->limits.heartbeat_deadline());
  run->heartbeat_timer.async_wait([run, generation](const boost::system::error_code& ec) {
    if (!ec && run->owner != nullptr && !run->exited && !run->limits.paused() &&
        generation == run->heartbeat_generation) {
      run->owner->on_heartbeat(run);
    }
  });
}

void LocalRunner::on_heartbeat(const RunPtr& run) {
  if (!run->controllable()) {
    return;  // exiting or already being stopped: nothing left to watch
  }
  const auto silent = run->limits.stale_for(Clock::now());
  if (!silent) {
    arm_heartbeat(run);  // a line came since the timer was armed: wait for the rest
    return;
  }
  run->status.silent_for = std::chrono::duration_cast<std::chrono::milliseconds>(*silent);
  request_stop(run, StopReason::Heartbeat);
}

// Prepares descriptors and the environment, forks and execs. Returns an error text, empty on
// success (then run.leader is set).
std::string LocalRunner::start(Run& run, const LaunchSpec& spec) {
  ExecPlan plan;
  if (auto error = plan_exec(spec, options_.program_dirs, plan); !error.empty()) {
    return error;
  }
  const auto argv = plan.argv_pointers();
  const auto envp = plan.env_pointers();

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
  const char** argv_ptr = const_cast<const char**>(argv.data());  // as-is: Boost would replace argv[0]
  std::optional<GroupLeader::Process> process;
  try {
    process.emplace(launcher(io_.get_executor(), ec, plan.executable, argv_ptr, setup));
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
    return child_failure(ec.value(), spec.argv.front(), spec.working_dir.string());
  }
  run.leader = std::make_shared<GroupLeader>(io_, std::move(*process));
  run.out.assign(read_end.release());
  return {};
}

void LocalRunner::on_reaped(const RunPtr& run, int native_status, const std::string& error) {
  // No group kill here: the leader is reaped, its number (and group id) may be reused already.
  // GroupLeader killed the group before the reap.
  run->exited = true;
  run->status.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run->started);
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
  const bool alive = run->splitter.feed(
      std::string_view(run->chunk.data(), bytes),
      [this, &run](std::string_view line, std::uint64_t /*end*/) {
        deliver_line(run, line);
        return run->owner != nullptr;  // a callback may destroy the runner
      });
  if (alive && run->owner != nullptr) {
    read_stdout(run);
  }
}

void LocalRunner::on_stdout_end(const RunPtr& run) {
  const bool alive = run->splitter.finish([this, &run](std::string_view line, std::uint64_t) {
    deliver_line(run, line);  // a last line without a newline
    return run->owner != nullptr;
  });
  if (!alive || run->owner == nullptr) {
    return;
  }
  run->eof = true;
  run->drain_timer.cancel();
  boost::system::error_code ignored;
  run->out.close(ignored);
  maybe_finish(run);
}

void LocalRunner::deliver_line(const RunPtr& run, std::string_view line) {
  run->limits.line(Clock::now());  // one clock read per line is all a line costs the heartbeat
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
  if (!run->controllable() || run->limits.paused() || !run->kill_group(SIGSTOP)) {
    return false;
  }
  run->limits.pause(Clock::now());
  ++run->timeout_generation;
  run->timeout_timer.cancel();
  ++run->heartbeat_generation;
  run->heartbeat_timer.cancel();
  return true;
}

bool LocalRunner::resume(RunId id) {
  const auto found = runs_.find(id);
  if (found == runs_.end()) {
    return false;
  }
  const RunPtr& run = found->second;
  if (!run->controllable() || !run->limits.paused()) {
    return false;
  }
  run->kill_group(SIGCONT);
  run->limits.resume(Clock::now());
  if (run->limits.has_timeout()) {
    arm_timeout(run);
  }
  if (run->limits.has_heartbeat()) {
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
  const bool paused = run->limits.paused();
  run->limits.resume(Clock::now());
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
    if (!ec && run->owner != nullptr && !run->exited && run->leader &&
        !run->leader->group_killed()) {
      run->kill_group(SIGKILL);  // a no-op once the leader is reaped
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
  return found == runs_.end() || !found->second->leader ? -1 : found->second->leader->pid();
}

}  // namespace rungs::runners
