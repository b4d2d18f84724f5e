#include "runners/simulated_runner.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <exception>

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
  if (options_.workers == 0 || working_ < options_.workers) start(id, run);
  else waiting_.push_back(id);
  return id;
}

void SimulatedRunner::start(RunId id, Run& run) {
  run.has_worker = true;
  run.started = now_;
  peak_ = std::max(peak_, ++working_);
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
  double end = exit_after;
  ExitStatus status = run.script.outcome;
  status.stopped = status.timed_out = false;
  const double timeout = static_cast<double>(run.spec.timeout.count()) / 1000.0;
  if (timeout > 0 && timeout < exit_after) {
    end = timeout;
    status = terminated(/*timed_out=*/true);
  }
  for (std::size_t i = 0; i < run.script.lines.size(); ++i) {
    const double offset = std::min(non_negative(run.script.lines[i].first), exit_after);
    if (offset > end) continue;  // printed after the timeout killed it
    schedule(run.started + offset, id, EventKind::Line, i);
  }
  status.duration = to_milliseconds(end);
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
  if (!run.has_worker) {  // still waiting: it never started
    waiting_.erase(std::find(waiting_.begin(), waiting_.end(), id));
    run.started = now_;
  }
  end_now(id, run, terminated(/*timed_out=*/false));
}

void SimulatedRunner::stop_all() {
  std::vector<RunId> ids;
  for (const auto& [id, run] : runs_) ids.push_back(id);
  for (const RunId id : ids) stop(id);
}

std::size_t SimulatedRunner::running() const { return runs_.size(); }

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
      if (run.callbacks.on_line) run.callbacks.on_line(run.script.lines[event.line].second);
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
  if (run.has_worker) {
    --working_;
    busy_ += now_ - run.started;
  }
  if (run.status.timed_out) ++timeouts_;
  // The freed worker goes to the longest-waiting run before anything the callback launches.
  while (!waiting_.empty() && (options_.workers == 0 || working_ < options_.workers)) {
    const RunId next = waiting_.front();
    waiting_.pop_front();
    start(next, runs_.at(next));
  }
  if (run.callbacks.on_exit) run.callbacks.on_exit(run.status);
}

}  // namespace rungs::runners
