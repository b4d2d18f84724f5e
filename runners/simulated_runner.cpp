#include "runners/simulated_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <exception>
#include <limits>
#include <vector>

#include <boost/asio/post.hpp>

namespace rungs::runners {

namespace {

std::chrono::milliseconds to_milliseconds(double seconds) {
  if (!std::isfinite(seconds)) return std::chrono::milliseconds::max();
  return std::chrono::milliseconds(std::llround(seconds * 1000.0));
}

// NaN and negative offsets count as 0; +inf stays (a trial that only a stop or timeout ends).
double non_negative(double seconds) { return seconds > 0 ? seconds : 0.0; }

ExitStatus terminated(bool timed_out) {
  ExitStatus status;
  status.kind = ExitStatus::Kind::Signaled;
  status.signal = SIGTERM;
  status.stopped = true;
  status.timed_out = timed_out;
  return status;
}

// Virtual seconds of the limit; 0 = none (as the local runner, for zero or negative).
double limit_seconds(std::chrono::milliseconds limit) {
  return limit.count() > 0 ? static_cast<double>(limit.count()) / 1000.0 : 0.0;
}

// When a run with these (clamped) line offsets and exit goes stale: the end of the first
// silence longer than `heartbeat`, or +inf if none. Lines are delivered in time order, ties
// in script order, so the gaps are those between the sorted offsets.
double stale_after(std::vector<double> offsets, double exit_after, double heartbeat) {
  if (heartbeat <= 0) return std::numeric_limits<double>::infinity();
  std::sort(offsets.begin(), offsets.end());
  offsets.push_back(exit_after);  // the silence before the exit counts too
  double last = 0;                // launch
  for (const double offset : offsets) {
    if (offset - last > heartbeat) return last + heartbeat;
    last = offset;
  }
  return std::numeric_limits<double>::infinity();
}

}  // namespace

SimulatedRunner::SimulatedRunner(boost::asio::io_context& io, TrialModel model,
                                 SimulatedRunnerOptions options)
    : io_(io), model_(std::move(model)), options_(options) {}

SimulatedRunner::~SimulatedRunner() = default;

RunId SimulatedRunner::launch(LaunchSpec spec, RunCallbacks callbacks) {
  const RunId id = next_id_++;
  Run& run = runs_[id];
  run.spec = std::move(spec);
  run.callbacks = std::move(callbacks);
  run.started = now_;
  if (worker_free()) give_worker(id, run);
  else waiting_.push_back(id);
  return id;
}

bool SimulatedRunner::worker_free() const {
  return options_.workers == 0 || working_ < options_.workers;
}

void SimulatedRunner::give_worker(RunId id, Run& run) {
  run.has_worker = true;
  run.worker_since = now_;
  peak_ = std::max(peak_, ++working_);
  if (run.script_started) thaw(id, run);
  else start(id, run);
}

// The freed workers go to the longest-waiting runs (new or resumed) before anything a
// callback launches.
void SimulatedRunner::fill_workers() {
  while (!waiting_.empty() && worker_free()) {
    const RunId next = waiting_.front();
    waiting_.pop_front();
    give_worker(next, runs_.at(next));
  }
}

void SimulatedRunner::take_worker(Run& run) {
  if (!run.has_worker) return;
  run.has_worker = false;
  --working_;
  busy_ += now_ - run.worker_since;
}

void SimulatedRunner::start(RunId id, Run& run) {
  run.script_started = true;
  // A relaunch after a restart of rungs continues its script where it was: backdate it.
  const double already_ran = run.spec.already_ran_seconds;
  run.started = std::isfinite(already_ran) ? now_ - non_negative(already_ran) : now_;
  try {
    run.script = model_(run.spec);
  } catch (const std::exception& e) {
    ExitStatus failed;
    failed.kind = ExitStatus::Kind::LaunchFailed;
    failed.error = e.what();
    end_now(id, run, std::move(failed));
    return;
  } catch (...) {
    ExitStatus failed;
    failed.kind = ExitStatus::Kind::LaunchFailed;
    failed.error = "the trial model threw an unknown exception";
    end_now(id, run, std::move(failed));
    return;
  }

  const double exit_after = non_negative(run.script.exit_after);
  std::vector<double> offsets;
  offsets.reserve(run.script.lines.size());
  for (const auto& line : run.script.lines) {
    offsets.push_back(std::min(non_negative(line.first), exit_after));
  }
  double end = exit_after;
  ExitStatus status = run.script.outcome;
  status.stopped = status.timed_out = status.stale = false;
  status.silent_for = std::chrono::milliseconds(0);
  const double timeout = limit_seconds(run.spec.timeout);
  const double heartbeat = limit_seconds(run.spec.heartbeat);
  const double stale = stale_after(offsets, exit_after, heartbeat);
  if (timeout > 0 && timeout < exit_after && timeout <= stale) {
    end = timeout;
    status = terminated(/*timed_out=*/true);
  } else if (stale < exit_after) {  // a silence longer than the heartbeat (else +inf)
    end = stale;
    status = terminated(/*timed_out=*/false);
    status.stale = true;
    status.silent_for = to_milliseconds(heartbeat);
  }
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] > end) continue;  // printed after the timeout or the heartbeat killed it
    schedule(run.started + offsets[i], id, EventKind::Line, i);
  }
  run.exit_offset = end;  // the duration, once paused time is added
  run.status = std::move(status);
  run.exit_sequence = schedule(run.started + end, id, EventKind::Exit);
}

void SimulatedRunner::end_now(RunId id, Run& run, ExitStatus status) {
  run.ended = true;
  status.duration = to_milliseconds(now_ - run.started);
  run.status = std::move(status);
  run.exit_sequence = schedule(now_, id, EventKind::Exit);
}

void SimulatedRunner::stop(RunId id) {
  const auto found = runs_.find(id);
  if (found == runs_.end() || found->second.ended) return;
  Run& run = found->second;
  const auto queued = std::find(waiting_.begin(), waiting_.end(), id);
  if (queued != waiting_.end()) waiting_.erase(queued);
  if (!run.script_started) run.started = now_;  // it never ran: it ends with duration 0
  run.paused = false;
  run.frozen.clear();
  end_now(id, run, terminated(/*timed_out=*/false));
}

bool SimulatedRunner::pause(RunId id) {
  const auto found = runs_.find(id);
  if (found == runs_.end() || found->second.ended || found->second.paused) return false;
  Run& run = found->second;
  run.paused = true;
  const auto queued = std::find(waiting_.begin(), waiting_.end(), id);
  if (queued != waiting_.end()) {  // not started yet, or resumed and waiting: stays frozen
    waiting_.erase(queued);
    return true;
  }
  // Freeze the script: its pending events leave the queue with their remaining offsets, in
  // queue order (so ties keep their order when they come back).
  run.paused_at = now_;
  for (auto it = events_.begin(); it != events_.end();) {
    const bool counts = it->run == id && (it->kind == EventKind::Line || it->sequence == run.exit_sequence);
    if (counts) run.frozen.push_back(Frozen{std::max(0.0, it->time - now_), it->kind, it->line});
    it = it->run == id ? events_.erase(it) : std::next(it);
  }
  take_worker(run);  // a stopped process uses no CPU
  fill_workers();
  return true;
}

bool SimulatedRunner::resume(RunId id) {
  const auto found = runs_.find(id);
  if (found == runs_.end() || found->second.ended || !found->second.paused) return false;
  Run& run = found->second;
  run.paused = false;
  if (worker_free()) give_worker(id, run);
  else waiting_.push_back(id);  // FIFO with new runs (none waits while a worker is free)
  return true;
}

void SimulatedRunner::thaw(RunId id, Run& run) {
  run.paused_seconds += now_ - run.paused_at;
  for (const Frozen& event : run.frozen) {
    const std::uint64_t sequence = schedule(now_ + event.remaining, id, event.kind, event.line);
    if (event.kind == EventKind::Exit) run.exit_sequence = sequence;
  }
  run.frozen.clear();
}

void SimulatedRunner::stop_all() {
  std::vector<RunId> ids;
  for (const auto& [id, run] : runs_) ids.push_back(id);
  for (const RunId id : ids) stop(id);
}

std::size_t SimulatedRunner::running() const { return runs_.size(); }

void SimulatedRunner::advance_clock(double seconds) {
  if (std::isfinite(seconds) && seconds > now_) now_ = seconds;
}

std::uint64_t SimulatedRunner::schedule(double time, RunId run, EventKind kind, std::size_t line) {
  const std::uint64_t sequence = ++sequence_;
  events_.insert(Event{time, sequence, run, kind, line});
  post_step();
  return sequence;
}

void SimulatedRunner::post_step() {
  if (step_posted_) return;
  step_posted_ = true;
  boost::asio::post(io_, [this, token = std::weak_ptr<char>(alive_)] {
    if (token.expired()) return;  // the runner is gone
    step();
  });
}

// One event per handler, so that the effects of a callback (new runs, stops) are queued
// before the next event is chosen.
void SimulatedRunner::step() {
  step_posted_ = false;
  while (!events_.empty()) {
    const Event event = *events_.begin();
    events_.erase(events_.begin());
    const auto found = runs_.find(event.run);
    if (found == runs_.end()) continue;
    Run& run = found->second;
    if (event.kind == EventKind::Line && run.ended) continue;                 // dropped by a stop
    if (event.kind == EventKind::Exit && event.sequence != run.exit_sequence) continue;  // superseded
    now_ = std::max(now_, event.time);
    ++delivered_;
    if (event.kind == EventKind::Line) {
      const auto& line = run.script.lines[event.line].second;
      if (run.output_end == 0) run.output_end = run.spec.stdout_offset;
      run.output_end += line.size() + 1;
      deliver_line(run.callbacks, line, run.output_end);
    } else {
      deliver_exit(event.run);
    }
    break;
  }
  if (!events_.empty()) post_step();
}

void SimulatedRunner::deliver_exit(RunId id) {
  auto node = runs_.extract(id);
  Run& run = node.mapped();
  if (!run.ended) run.status.duration = to_milliseconds(run.exit_offset + run.paused_seconds);
  take_worker(run);
  if (run.status.timed_out) ++timeouts_;
  if (run.status.stale) ++stale_runs_;
  fill_workers();
  if (run.callbacks.on_exit) run.callbacks.on_exit(run.status);
}

}  // namespace rungs::runners
