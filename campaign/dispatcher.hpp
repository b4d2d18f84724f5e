#pragma once
// The campaign loop's dispatcher (behind run_campaign, campaign_loop.hpp): carries out a
// Scheduler's decisions with a Runner on one event loop, recording every event first.
//
//   scheduler.next() --Job--> launch --TrialProcesses--> runner --> trial process
//   stdout line --parse, drop repeats--> Report event + scheduler.on_report() --Stop--> stop
//   process exit --judge_run_end--> Exit event + scheduler.on_run_end() --> State events, next jobs
//
// Its parts, each with one job: the EventJournal records events, or recognizes them while a
// resumed campaign is replayed, and keeps the campaign clock; TrialProcesses keeps each
// trial's process (live, kept paused under pause: signal, being ended) and routes its lines
// and exit; the TrialBook keeps the trials table's rows and the repeat filters; judge_run_end
// and may_retry say how a run ended; RunEvents spells each event's data; the Incumbent
// (scheduler/incumbent.hpp) names the best result. What stays here is the order of things:
// an event is written before it takes effect, and a decision recorded once is carried out
// once (a replay that ends right after it carries it out: relaunch_runs_out).
//
// dispatcher.cpp holds the live path, dispatcher_replay.cpp how a resumed campaign replays
// its log and relaunches the runs that were out, dispatcher_limits.cpp the campaign's limits
// (campaign_bounds.hpp) and its growth (campaign_growth.hpp), dispatcher_pbt.cpp the
// checkpoints population-based training keeps and copies.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/active_run.hpp"
#include "campaign/campaign_bounds.hpp"
#include "campaign/campaign_limits.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/event_journal.hpp"
#include "campaign/pareto_result.hpp"
#include "campaign/run_events.hpp"
#include "campaign/trial_book.hpp"
#include "campaign/trial_processes.hpp"
#include "runners/report_parser.hpp"
#include "scheduler/incumbent.hpp"

namespace rungs::campaign {

class Dispatcher final : private ProcessListener {
 public:
  // As run_campaign(): `scheduler` fresh, built from `spec`; everything must outlive run().
  Dispatcher(const CampaignSpec& spec, scheduler::Scheduler& scheduler, runners::Runner& runner,
             boost::asio::io_context& io, store::CampaignStore& store, const LoopOptions& options);

  // Replays the store's events if any, then runs the event loop until the scheduler is
  // finished and nothing runs (or an interruption stopped everything). Once.
  CampaignOutcome run();

 private:
  // ---- replay (dispatcher_replay.cpp) ----
  void replay();  // re-applies every recorded input, then ends the replay
  ActiveRun& replayed_run(const store::Event& event);  // throws ReplayMismatch if it is not out
  void replay_report(const store::Event& event);
  void replay_exit(const store::Event& event);
  void relaunch_runs_out();  // the journal's replay-end handler

  // ---- limits and growth (dispatcher_limits.cpp) ----
  enum class Limit { Cost, Trials, Wall };
  // The limit that keeps `job` from launching now, if any (wall: live only).
  std::optional<Limit> refusal(const scheduler::Job& job) const;
  // A run the scheduler stopped is charged the steps it trained (fidelity::trained_cost).
  void charge_trained(ActiveRun& run);
  bool wall_reached() const;
  // Live: at limits.wall, stops the runs out as on Ctrl-C (a grown campaign relaunches them).
  void check_wall();
  // At the replay's end: the spec's bounds, if they grew since the log's, take effect now;
  // returns the resume event's `grown` record (null when nothing grew).
  nlohmann::json grow_to_spec();
  void replay_growth(const store::Event& event);  // a growth recorded in the log
  void grow(const CampaignBounds& bounds);
  // "cost limit 5200 reached: 5183 charged", for the progress line and the finish event.
  std::string limit_note() const;

  // ---- population-based training's checkpoints (dispatcher_pbt.cpp, checkpoint_copy.hpp) ----
  store::Event launch_event(const ActiveRun& run) const;  // with `inherits` for a trial that inherits
  void inherit(ActiveRun& run);  // copies the donor's kept checkpoint into the run's directory
  void keep(ActiveRun& run);     // keeps the run's checkpoint at its level

  // ---- the live loop ----
  void pump();          // hands out runs while there is room; ends the loop when all is done
  void maybe_finish();  // ends the event loop once no run is out and no process is left
  void interrupt();     // SIGINT/SIGTERM: stops every trial, records no exit
  void launch(scheduler::Job job);
  void submit(ActiveRun& run, runners::LaunchSpec launch, std::vector<std::string> first_lines = {});

  // ---- what the trials' processes say (ProcessListener) ----
  void on_run_line(scheduler::TrialId trial, std::string_view line, std::optional<std::uint64_t> end) override;
  void on_run_exit(scheduler::TrialId trial, const runners::ExitStatus& status) override;
  bool on_late_line(scheduler::TrialId trial, std::string_view line) override;
  void on_kept_process_died(scheduler::TrialId trial, const runners::ExitStatus& status) override;
  void on_process_gone() override;
  void on_run_relaunched(scheduler::TrialId trial) override;

  // ---- reports and decisions ----
  void on_line(ActiveRun& run, std::string_view line, std::optional<std::uint64_t> end = std::nullopt);
  // What a report says about the run and its trial, live or replayed. False for a report
  // without the campaign's metric (e.g. a train-only line): it informs no decision.
  bool note_report(ActiveRun& run, std::optional<double> step, const nlohmann::json& metrics);
  // A resumed run whose first step repeats its trial's steps retrained from the start: it is
  // charged a fresh run, with one warning per trial (retrain_check.hpp). Live and replayed.
  void check_resumed(ActiveRun& run, double first_step);
  // The scheduler's decision on the run's latest value; a Stop is recorded, then carried
  // out. Returns false when the run is to stop.
  bool decide(ActiveRun& run, std::optional<double> step);
  // pause: signal: a report at or past the run's pause step ends the run for the scheduler;
  // its process is kept, stopped, for a promotion to continue.
  void maybe_pause(ActiveRun& run, std::optional<double> step);

  // ---- run ends ----
  void on_exit(scheduler::TrialId trial, const runners::ExitStatus& status);
  void retry(ActiveRun& run, const std::string& failure);
  void count_failure();  // trial.max_failures_before_success: may end the campaign as failed
  // A run's end, live or replayed: the trial's record, the best, the scheduler, the states.
  void apply_exit(scheduler::TrialId trial, const std::string& failure, double value, bool interrupted = false);
  void sync_states(bool all);  // a State event per trial whose scheduler state changed
  void consider_best(const ActiveRun& run, double value, bool failed);
  void check_constraints_reported(ActiveRun& run);  // warns of a constrained metric never reported

  // ---- storage, time and progress ----
  // Through the journal; with a trial, its row too. True if it was recorded already.
  bool write(store::Event event, std::optional<scheduler::TrialId> trial = std::nullopt);
  void record_finish();  // the campaign's end, as an event, whoever drove the loop
  void warn(std::optional<scheduler::TrialId> trial, std::optional<std::int64_t> run, const std::string& message);
  ProgressSnapshot snapshot() const;
  void tick();
  double now() const { return journal_.now(); }

  const CampaignSpec& spec_;
  scheduler::Scheduler& scheduler_;
  boost::asio::io_context& io_;
  const LoopOptions& options_;
  EventJournal journal_;
  TrialProcesses processes_;
  TrialBook trials_;
  RunEvents events_;
  std::ofstream warnings_log_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer ticker_;
  runners::ReportParser parser_;

  std::map<scheduler::TrialId, std::unique_ptr<ActiveRun>> active_;  // the runs out
  scheduler::Incumbent incumbent_;
  std::optional<BestResult> best_;  // the incumbent's details
  std::vector<ParetoPoint> front_candidates_;  // several objectives: the runs that count
  std::int64_t runs_launched_ = 0;
  double budget_used_ = 0;  // charged at launch
  CampaignLimits limits_;   // what the progress line measures the work done against
  double budget_done_ = 0;  // the charges of the runs that ended
  double units_done_ = 0;   // and their scheduler units
  bool interrupted_ = false;
  // trial.max_failures_before_success: live failures while no run (replayed ones included)
  // has succeeded; `failed_` says why the campaign was stopped.
  std::size_t failures_before_success_ = 0;
  bool succeeded_ = false;
  std::optional<std::string> failed_;
  bool finished_ = false;  // the event loop is to end: nothing re-arms the ticker
  // Limits (dispatcher_limits.cpp): the bounds in effect (the log's until a growth), the job
  // a limit keeps from launching (launched first once the campaign grows) and which limit
  // ended the campaign.
  CampaignBounds bounds_;
  std::optional<scheduler::Job> held_;
  std::optional<Limit> limit_reached_;
};

}  // namespace rungs::campaign
