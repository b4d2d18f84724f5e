#pragma once
// SimulatedRunner: trials as scripted event sequences on a virtual clock, so that a whole
// campaign (schedulers, optimizers, the campaign loop) runs in seconds and deterministically.
// Only the runner differs from a real campaign: the same loop drives it through the Runner
// contract, on the same boost::asio::io_context.
//
// How time passes. A TrialModel turns each LaunchSpec into a SimulatedTrial: stdout lines at
// offsets after launch and an exit. launch() puts those events into one queue ordered by
// (virtual time, sequence number); nothing happens until the io_context runs. Then the runner
// delivers ONE event per posted handler: pop the earliest, advance the clock to its time, call
// the callback, post the next step while events remain. Whatever a callback does (stop a run,
// launch new ones) is therefore in the queue before the next event is chosen, and the order
// of events depends only on the trials' scripts and the calls made: no real time, no
// randomness. Events at the same virtual time come in the order they were scheduled.
//
// Workers. With `workers` = N > 0, at most N runs hold a worker; a run launched while all are
// busy waits (FIFO) and starts, virtually, when one is freed: its offsets, timeout and
// duration count from that start. 0 = as many workers as runs (the campaign loop already caps
// concurrency at scheduler.max_concurrent). busy_seconds() sums the time the runs that ended
// held a worker, so utilization = busy_seconds() / (workers * makespan).
//
// Pausing. pause(id) freezes a run's script: its pending events (lines, exit or timeout) leave
// the queue with their remaining offsets, and its worker is freed (a SIGSTOPped process uses
// no CPU; the next waiting run gets it). resume(id) needs a worker again, waiting FIFO with
// launched runs if none is free, and reschedules the frozen events at (the time it got one) +
// remaining. So pausing shifts the rest of a run, timeout included, by the time it was
// frozen; busy_seconds() leaves that time out and the exit's duration includes it (launch to
// exit, as a real run's). A run paused before it ever got a worker just leaves the queue.
//
// Restarts of rungs. After rungs itself was killed and restarted, a new runner continues the
// campaign: advance_clock() first moves its clock to the last recorded event, then each run
// that was out is relaunched with LaunchSpec::already_ran_seconds. Its start is backdated by
// that much (a simulated checkpoint is perfect), so its remaining lines, timeout and exit come
// at the virtual times an uninterrupted run would have had. Lines (and an exit) already due
// are delivered at once, before anything later, in script order: the caller drops the lines
// it had recorded. The timeout counts from the backdated start, and so does the duration;
// busy_seconds() only counts the time a run held a worker of this runner.
//
// Ends. A run ends at its script's exit_after with its outcome, unless
//  - stop(id): it ends at the current virtual time, Kind::Signaled SIGTERM, stopped = true;
//    its remaining lines are dropped (no grace period: a simulated trial dies at once);
//  - LaunchSpec::timeout (read as virtual time) elapses strictly before exit_after: it ends
//    then, SIGTERM, timed_out = stopped = true; lines scheduled after the timeout are dropped;
//  - LaunchSpec::heartbeat (virtual time) is shorter than a gap of its script: launch to the
//    first line, line to line (in delivery order) or last line to exit_after. It ends at
//    (the line before the gap, or launch) + heartbeat, SIGTERM, stale = stopped = true,
//    silent_for = heartbeat; later lines are dropped. A gap of exactly the heartbeat is
//    allowed. When both limits fall before the exit, the earlier one ends the run; at the same
//    time the timeout does (timed_out, not stale): it is the hard limit the user set.
//    Both are computed once, at start, on the script's offsets: a pause shifts the stale end
//    with the rest of the script, so the silence window keeps what it had left (as the local
//    runner does); a run backdated by already_ran_seconds goes stale where the uninterrupted
//    run would have (the gaps are the script's, not counted from the relaunch).
// A model that throws gives a Kind::LaunchFailed exit at launch time (the contract: a failed
// trial is data). Nothing touches the file system: working_dir and stderr_path are ignored.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "runners/runner.hpp"

namespace rungs::runners {

// A clean exit with `code`, for SimulatedTrial::outcome.
inline ExitStatus exit_code(int code) {
  ExitStatus status;
  status.kind = ExitStatus::Kind::Exited;
  status.code = code;
  return status;
}

// What a simulated trial does, as seen from outside.
struct SimulatedTrial {
  // stdout lines at virtual seconds after launch. Delivered in time order (lines with equal
  // times in the order given); an offset beyond exit_after is delivered at exit_after, before
  // the exit; a negative one at launch.
  std::vector<std::pair<double, std::string>> lines;
  // Virtual seconds from launch to exit (NaN or negative: 0). Infinity: a trial that hangs
  // until it is stopped or times out.
  double exit_after = 0;
  // How it ends when nobody stops it: kind and code/signal/error; timed_out, stopped and
  // duration are filled in by the runner.
  ExitStatus outcome = exit_code(0);
};

// Called once per launch, at launch. Must be deterministic for the simulation to be.
using TrialModel = std::function<SimulatedTrial(const LaunchSpec&)>;

struct SimulatedRunnerOptions {
  std::size_t workers = 0;  // 0 = unlimited; else runs beyond it wait for a free worker
};

class SimulatedRunner final : public Runner {
 public:
  SimulatedRunner(boost::asio::io_context& io, TrialModel model, SimulatedRunnerOptions options = {});
  // Pending events and callbacks are dropped, not called. Destroy before the io_context.
  ~SimulatedRunner() override;

  SimulatedRunner(const SimulatedRunner&) = delete;
  SimulatedRunner& operator=(const SimulatedRunner&) = delete;

  RunId launch(LaunchSpec spec, RunCallbacks callbacks) override;
  void stop(RunId id) override;
  void stop_all() override;
  bool pause(RunId id) override;
  bool resume(RunId id) override;
  std::size_t running() const override;

  // Virtual seconds since the runner was built: the time of the last event delivered (for
  // LoopOptions::clock). Starts at 0 and never goes back.
  double now() const { return now_; }
  // Moves the clock forward to `seconds`, never back (earlier or non-finite: no-op). For a
  // restarted campaign, before relaunching, so that its time continues from the last event
  // recorded. Events already queued for before then are delivered at the new time.
  void advance_clock(double seconds);
  // Sum of the virtual time the runs that have ended held a worker (paused time excluded).
  double busy_seconds() const { return busy_; }
  // Runs launched so far, and the most that ever held a worker at once.
  std::size_t launched() const { return next_id_ - 1; }
  std::size_t peak_running() const { return peak_; }
  // Events delivered so far (lines and exits), and runs that ended by their timeout.
  std::uint64_t events_delivered() const { return delivered_; }
  std::size_t timeouts() const { return timeouts_; }
  // Runs that ended stale (LaunchSpec::heartbeat).
  std::size_t stale_runs() const { return stale_runs_; }

 private:
  enum class EventKind { Line, Exit };
  struct Event {
    double time = 0;
    std::uint64_t sequence = 0;
    RunId run = 0;
    EventKind kind = EventKind::Line;
    std::size_t line = 0;  // index into the run's script, for Line
    bool operator<(const Event& other) const {
      return time != other.time ? time < other.time : sequence < other.sequence;
    }
  };
  // A paused run's pending event, `remaining` virtual seconds from the pause.
  struct Frozen {
    double remaining = 0;
    EventKind kind = EventKind::Line;
    std::size_t line = 0;
  };
  struct Run {
    LaunchSpec spec;
    RunCallbacks callbacks;
    SimulatedTrial script;
    double started = 0;              // virtual start, backdated by already_ran_seconds
    double worker_since = 0;         // when it last got a worker, for busy_seconds()
    double exit_offset = 0;          // scripted exit (or timeout, or stale), in running time
    double paused_at = 0;            // when its script was frozen
    double paused_seconds = 0;       // frozen so far: added to the scripted duration
    bool script_started = false;     // start() ran: resuming thaws `frozen` instead
    bool has_worker = false;
    bool paused = false;
    bool ended = false;              // ends now: stopped, or the model failed
    std::uint64_t exit_sequence = 0; // the one Exit event that counts
    std::vector<Frozen> frozen;      // while paused (or resumed, waiting for a worker)
    ExitStatus status;               // what on_exit will say
    std::uint64_t output_end = 0;    // bytes of its lines so far (from spec.stdout_offset)
  };

  bool worker_free() const;
  void give_worker(RunId id, Run& run);
  void take_worker(Run& run);
  void fill_workers();
  void start(RunId id, Run& run);
  void thaw(RunId id, Run& run);
  void end_now(RunId id, Run& run, ExitStatus status);
  std::uint64_t schedule(double time, RunId run, EventKind kind, std::size_t line = 0);
  void post_step();
  void step();
  void deliver_exit(RunId id);

  boost::asio::io_context& io_;
  TrialModel model_;
  SimulatedRunnerOptions options_;
  std::map<RunId, Run> runs_;      // launched, on_exit not yet delivered
  std::deque<RunId> waiting_;      // launched, waiting for a worker
  std::set<Event> events_;
  std::shared_ptr<char> alive_ = std::make_shared<char>();  // posted steps check it
  bool step_posted_ = false;
  double now_ = 0;
  double busy_ = 0;
  std::size_t working_ = 0;
  std::size_t peak_ = 0;
  std::size_t timeouts_ = 0;
  std::size_t stale_runs_ = 0;
  std::uint64_t sequence_ = 0;
  std::uint64_t delivered_ = 0;
  RunId next_id_ = 1;
};

}  // namespace rungs::runners
