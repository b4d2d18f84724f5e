#include "runners/local_runner.hpp"

#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdint>
#include <optional>
#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include "runners/exec_plan.hpp"
#include "runners/local_run.hpp"
#include "runners/file_watch.hpp"
#include "runners/group_leader.hpp"
#include "runners/leftovers.hpp"
#include "runners/output_follower.hpp"
#include "runners/process_tree.hpp"
#include "runners/run_limits.hpp"
#include "runners/supervised_launch.hpp"

namespace rungs::runners {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
// Without inotify (out of watches), how often a run's output file is read.
constexpr std::chrono::milliseconds kOutputPollInterval{20};
}  // namespace

LocalRunner::LocalRunner(asio::io_context& io, LocalRunnerOptions options)
    : io_(io), options_(std::move(options)), watch_(std::make_unique<FileWatch>(io)) {
  if (options_.max_line_bytes == 0) {
    options_.max_line_bytes = 1;
  }
  if (options_.supervisor.empty()) {
    options_.supervisor = find_supervisor(options_.program_dirs);
  }
}

LocalRunner::~LocalRunner() {
  // Every supervisor kills its run's whole tree at once (before anything waits), then ends.
  for (auto& [id, run] : runs_) {
    run->owner = nullptr;
    run->command(kKill);
  }
  const auto deadline = Clock::now() + options_.shutdown_timeout;
  for (auto& [id, run] : runs_) {
    if (run->supervisor) {
      run->supervisor->abandon(deadline);
    }
    run->control.reset();  // EOF: a supervisor still alive ends its run by itself
    boost::system::error_code ignored;
    run->status_pipe.close(ignored);
    run->timeout_timer.cancel();
    run->heartbeat_timer.cancel();
    run->poll_timer.cancel();
    watch_->remove(run->watch);
  }
  runs_.clear();
}

RunId LocalRunner::launch(LaunchSpec spec, RunCallbacks callbacks) {
  auto run = std::make_shared<Run>(io_, spec);
  run->id = next_id_++;
  run->owner = this;
  run->callbacks = std::move(callbacks);
  runs_.emplace(run->id, run);

  std::string error;
  try {
    error = start(*run, spec);
  } catch (const std::exception& e) {  // e.g. bad_alloc, asio failing to register a descriptor
    error = e.what();
    if (run->supervisor) {  // it started: have it end the run, and wait for it
      run->command(kKill);
      run->supervisor->abandon(Clock::now() + options_.shutdown_timeout);
      run->supervisor.reset();
    }
  }
  if (!error.empty()) {
    run->status.kind = ExitStatus::Kind::LaunchFailed;
    run->status.error = std::move(error);
    run->exited = run->status_eof = run->output_done = true;
    // Reported from the event loop, never from inside launch(): the caller has not even
    // seen the RunId yet.
    asio::post(io_, [run] {
      if (run->owner != nullptr) {
        run->owner->maybe_finish(run);
      }
    });
    return run->id;
  }

  run->supervisor->watch([run](int native_status, const std::string& reap_error) {
    if (run->owner != nullptr) {
      run->owner->on_reaped(run, native_status, reap_error);
    }
  });
  read_status(run);
  run->watch = watch_->add(run->output->fd(), [run] {
    if (run->owner != nullptr) {
      run->owner->read_output(run);
    }
  });
  if (run->watch == 0) {
    poll_output(run);
  }
  // What the file holds already (past stdout_offset on a relaunch, or what a quick trial
  // wrote before launch() returned) is read from the loop: never a callback inside launch().
  asio::post(io_, [run] {
    if (run->owner != nullptr) {
      run->owner->read_output(run);
    }
  });
  if (run->limits.has_timeout()) {
    arm_timeout(run);
  }
  if (run->limits.has_heartbeat()) {
    arm_heartbeat(run);
  }
  return run->id;
}

// Prepares descriptors, forks and execs the supervisor. Returns an error text, empty on
// success (then run.supervisor and run.output are set).
void LocalRunner::end_recorded(const std::filesystem::path& record, std::chrono::milliseconds grace) {
  end_leftovers(record, grace);
}

std::string LocalRunner::start(Run& run, const LaunchSpec& spec) {
  ExecPlan trial;
  if (auto error = plan_exec(spec, options_.program_dirs, trial); !error.empty()) {
    return error;
  }
  // A record from an earlier process of this run (rungs was restarted): whatever of it is
  // still alive ends first. Nothing to do, and no wait, when the record shows its end.
  if (!spec.process_record.empty()) {
    end_leftovers(spec.process_record, spec.grace);
  }
  SupervisorFds fds;
  if (auto error = open_supervisor_fds(spec, fds); !error.empty()) {
    return error;
  }
  run.token = random_token();
  const auto plan = supervisor_plan(options_.supervisor, trial, spec.grace, run.token, spec.process_record);
  std::optional<GroupLeader::Process> process;
  if (auto error = launch_supervisor(io_, plan, spec.working_dir, fds, process); !error.empty()) {
    return error;
  }
  run.supervisor = std::make_shared<GroupLeader>(io_, std::move(*process));
  run.control = std::move(fds.control_write);
  run.status_pipe.assign(fds.status_read.release());
  run.output.emplace(std::move(fds.output_read), spec.stdout_offset, options_.max_line_bytes);
  return {};
}

void LocalRunner::read_status(const RunPtr& run) {
  run->status_pipe.async_read_some(asio::buffer(run->status_chunk),
                                   [run](const boost::system::error_code& ec, std::size_t bytes) {
                                     if (run->owner == nullptr) {
                                       return;
                                     }
                                     if (ec) {  // EOF: the supervisor ended
                                       run->status_eof = true;
                                       run->owner->maybe_finish(run);
                                       return;
                                     }
                                     run->owner->on_status(run, bytes);
                                   });
}

void LocalRunner::on_status(const RunPtr& run, std::size_t bytes) {
  run->status_text.append(run->status_chunk.data(), bytes);
  if (run->trial_pid < 0 && !run->exited) {
    run->trial_pid = parse_supervisor_status(run->status_text).trial_pid;
  }
  read_status(run);
}

// Reads what the trial appended, a bounded amount per turn of the event loop (a flood must not
// delay other runs' timers), and, once the supervisor is gone, the rest and a last line.
void LocalRunner::read_output(const RunPtr& run) {
  if (run->reading || run->output_done) {
    return;
  }
  const auto progress = run->output->read_some([this, &run](std::string_view line, std::uint64_t end) {
    deliver_line(run, line, end);
    return run->owner != nullptr;  // a callback may destroy the runner
  });
  if (progress == OutputFollower::Progress::Stopped || run->owner == nullptr) {
    return;
  }
  if (progress == OutputFollower::Progress::More) {
    run->reading = true;
    asio::post(io_, [run] {
      run->reading = false;
      if (run->owner != nullptr) {
        run->owner->read_output(run);
      }
    });
    return;
  }
  if (run->exited) {  // no writer is left: the file is complete
    const bool alive = run->output->finish([this, &run](std::string_view line, std::uint64_t end) {
      deliver_line(run, line, end);  // a last line without a newline
      return run->owner != nullptr;
    });
    if (alive && run->owner != nullptr) {
      run->output_done = true;
      maybe_finish(run);
    }
  }
}

void LocalRunner::poll_output(const RunPtr& run) {
  run->poll_timer.expires_after(kOutputPollInterval);
  run->poll_timer.async_wait([run](const boost::system::error_code& ec) {
    if (!ec && run->owner != nullptr && !run->output_done) {
      run->owner->read_output(run);
      run->owner->poll_output(run);
    }
  });
}

void LocalRunner::deliver_line(const RunPtr& run, std::string_view line, std::uint64_t end) {
  run->limits.line(Clock::now());  // one clock read per line is all a line costs the heartbeat
  runners::deliver_line(run->callbacks, line, end);
}

void LocalRunner::on_reaped(const RunPtr& run, int native_status, const std::string& error) {
  run->exited = true;
  run->trial_pid = -1;
  run->status.duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run->started);
  run->timeout_timer.cancel();
  run->heartbeat_timer.cancel();
  run->poll_timer.cancel();
  run->control.reset();
  if (!error.empty()) {
    run->status.kind = ExitStatus::Kind::Unknown;
    run->status.error = error;
  } else {
    run->status.kind = ExitStatus::Kind::Unknown;  // until the status lines say (maybe_finish)
    run->status.error = fmt::format(
        "the run's supervisor ended without reporting the trial's status (wait status {:#x})", native_status);
  }
  read_output(run);
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
  read_output(run);  // lines written but not read yet count
  if (run->owner == nullptr || !run->controllable()) {
    return;
  }
  const auto silent = run->limits.stale_for(Clock::now());
  if (!silent) {
    arm_heartbeat(run);  // a line came since the timer was armed: wait for the rest
    return;
  }
  run->status.silent_for = std::chrono::duration_cast<std::chrono::milliseconds>(*silent);
  request_stop(run, StopReason::Heartbeat);
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
  if (!run->controllable() || run->limits.paused() || !run->command(kPause)) {
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
  run->command(kContinue);
  run->limits.resume(Clock::now());
  if (run->limits.has_timeout()) {
    arm_timeout(run);
  }
  if (run->limits.has_heartbeat()) {
    arm_heartbeat(run);
  }
  return true;
}

// The supervisor does the rest: SIGTERM to every process of the run (with a SIGCONT, so a
// paused one handles it), SIGKILL after the grace, or at once without one.
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
  run->limits.resume(Clock::now());
  run->command(run->grace.count() <= 0 ? kKill : kStop);
}

void LocalRunner::maybe_finish(const RunPtr& run) {
  if (!run->exited || !run->status_eof || !run->output_done || run->finished) {
    return;
  }
  run->finished = true;
  run->timeout_timer.cancel();
  run->heartbeat_timer.cancel();
  run->poll_timer.cancel();
  watch_->remove(run->watch);
  run->watch = 0;
  if (run->status.kind == ExitStatus::Kind::LaunchFailed) {
    run->status.duration =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run->started);
  } else {
    apply_supervisor_status(run->status_text, run->token, run->status);
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
  return found == runs_.end() || found->second->exited ? -1 : found->second->trial_pid;
}

}  // namespace rungs::runners
