#pragma once
// The keeper of the trials' processes: which process is each trial's live one, which are kept
// paused (pause: signal), which are being ended, and where their stdout lines and exits go.
//
// A trial has at most one live process. It runs the trial's run that is out, or, under
// pause: signal, it is kept stopped (SIGSTOP) after the run paused at its rung, for a
// promotion to continue (SIGCONT) as the trial's next run. At most `max_paused` processes
// are kept; beyond that the oldest is ended (a later promotion of it relaunches from its
// checkpoint, as with pause: exit).
//
// Every process is told from its predecessors by a serial, so that a line or an exit that
// arrives from an ended process is never taken for the live one's:
//  - a line of a live process that runs a run goes to ProcessListener::on_run_line; one a
//    kept process prints after its pause took effect (its SIGSTOP landed late) is held for
//    the trial's next run;
//  - a line of an ended kept process arriving late goes to the trial's run if one is out
//    (on_late_line decides), else it is held for the trial's next run;
//  - the exit of a run's process goes to on_run_exit; a kept process that dies by itself is
//    reported by on_kept_process_died, one ended on purpose by on_process_gone.
// A trial whose kept process was ended (or died) has lost its process: its next launch must
// say so to the trial (RUNGS_RELAUNCH: it may repeat reports) and gets the lines held for it
// first (take_lost()).
//
// Contract: called from the event loop's thread only; the listener's callbacks come from the
// runner's callbacks or from handlers posted to `io`, never from inside a call of the loop.
#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fidelity/budget.hpp"
#include "runners/runner.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

// What the keeper reports to the campaign loop.
class ProcessListener {
 public:
  virtual ~ProcessListener() = default;
  // A stdout line of the live process of the trial's run.
  // `end`: the byte offset just past the line in the run's output file, when it came from
  // one (a line held from a kept process or posted first has none).
  virtual void on_run_line(scheduler::TrialId trial, std::string_view line, std::optional<std::uint64_t> end) = 0;
  // The live process of the trial's run ended.
  virtual void on_run_exit(scheduler::TrialId trial, const runners::ExitStatus& status) = 0;
  // A line an ended kept process of the trial printed before it died. Returns false when no
  // run of the trial is out (the line is then held for its next run); true when a run is out
  // (the run takes the line, or drops it).
  virtual bool on_late_line(scheduler::TrialId trial, std::string_view line) = 0;
  // A kept process died by itself while paused (e.g. it trained to its end before its
  // SIGSTOP landed); the trial has lost its process.
  virtual void on_kept_process_died(scheduler::TrialId trial, const runners::ExitStatus& status) = 0;
  // A process ended on purpose (end_kept) is gone: the campaign may be able to end now.
  virtual void on_process_gone() = 0;
  // The runner started the trial's run again from its checkpoint (RunCallbacks::on_relaunch):
  // what it prints next may repeat reports of the run.
  virtual void on_run_relaunched(scheduler::TrialId) {}
};

// A process kept paused at a rung.
struct KeptProcess {
  fidelity::Budget budget;         // of the run that paused
  bool relaunched = false;         // it was started from a checkpoint: it may repeat reports
  std::vector<std::string> lines;  // printed after the pause took effect, for the next run
  std::uint64_t order = 0;         // the oldest is ended first beyond max_paused
};

class TrialProcesses {
 public:
  TrialProcesses(runners::Runner& runner, boost::asio::io_context& io, ProcessListener& listener,
                 std::size_t max_paused);

  // Starts the trial's live process for its run out. `first_lines` reach the listener
  // before the process's own (posted: a report in them may end the run, which must not
  // happen inside the caller).
  void launch(scheduler::TrialId trial, runners::LaunchSpec spec, std::vector<std::string> first_lines = {});
  // Asks the live process of the trial to end (a stop decision). No-op without one.
  void stop(scheduler::TrialId trial);
  // The trial's run ended: its process is forgotten, unless it is kept.
  void run_ended(scheduler::TrialId trial);

  // Pauses the live process of the trial's run (which paused at its rung) and keeps it.
  // False if it could not be paused (it is ending). Ends the oldest kept ones beyond
  // max_paused, holding what they printed since their pause for their trials' next runs.
  bool keep(scheduler::TrialId trial, const fidelity::Budget& budget, bool relaunched);
  // The trial's kept process, or nullptr.
  const KeptProcess* kept(scheduler::TrialId trial) const;
  // The kept process continues as the trial's run now out: SIGCONT, and the lines it printed
  // since its pause go to that run first. Requires kept(trial).
  void continue_kept(scheduler::TrialId trial);
  // Ends the trial's kept process (SIGTERM with a SIGCONT); with keep_lines what it printed
  // since its pause is held for the trial's next run.
  void end_kept(scheduler::TrialId trial, bool keep_lines = false);
  // Ends every kept process: nobody will continue them.
  void end_all_kept();
  // Ends every kept process and stops every run (an interrupted campaign).
  void stop_all();
  // What an earlier rungs left of a run that is not relaunched (Runner::end_recorded).
  void end_recorded(const std::filesystem::path& record, std::chrono::milliseconds grace) {
    runner().end_recorded(record, grace);
  }

  // Runs before every call that reaches a process (launch, stop, pause, resume): the loop
  // makes what it recorded durable there, so nothing takes effect unrecorded.
  void before_each_effect(std::function<void()> hook) { before_effect_ = std::move(hook); }

  // If the trial's kept process was ended or died since its last launch: the lines held for
  // its next run (maybe none), and the trial counts as having its process again. Else
  // nullopt.
  std::optional<std::vector<std::string>> take_lost(scheduler::TrialId trial);

  // No kept process, and none being ended: only runs' processes are left.
  bool idle() const { return kept_.empty() && ending_.empty(); }

 private:
  struct Process {
    std::uint64_t serial = 0;
    runners::RunId id = 0;
  };

  void on_line(scheduler::TrialId trial, std::uint64_t serial, std::string_view line,
               std::optional<std::uint64_t> end = std::nullopt);
  void on_exit(scheduler::TrialId trial, std::uint64_t serial, const runners::ExitStatus& status);
  void post_lines(scheduler::TrialId trial, std::uint64_t serial, std::vector<std::string> lines);

  // The runner, after the before_each_effect hook: every process call goes through here.
  runners::Runner& runner() {
    if (before_effect_) before_effect_();
    return runner_;
  }

  runners::Runner& runner_;
  std::function<void()> before_effect_;
  boost::asio::io_context& io_;
  ProcessListener& listener_;
  std::size_t max_paused_;
  std::map<scheduler::TrialId, Process> live_;       // each trial's live process, if any
  std::map<scheduler::TrialId, KeptProcess> kept_;   // trials whose live process is kept paused
  std::map<std::uint64_t, scheduler::TrialId> ending_;  // kept processes being ended, by serial
  std::map<scheduler::TrialId, std::vector<std::string>> held_lines_;  // of ended kept processes
  std::set<scheduler::TrialId> lost_;  // trials whose kept process was ended or died
  std::uint64_t serials_ = 0;
  std::uint64_t pauses_ = 0;
};

}  // namespace rungs::campaign
