#include "campaign/campaign_loop.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "campaign/replay_log.hpp"
#include "campaign/trial_launch.hpp"
#include "fidelity/run_cost.hpp"
#include "runners/report_parser.hpp"
#include "scheduler/incumbent.hpp"

namespace rungs::campaign {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
using Clock = std::chrono::steady_clock;

// Where a trial run stands while it is out.
struct ActiveRun {
  scheduler::Job job;
  std::int64_t run_number = 0;
  std::filesystem::path trial_dir;
  std::ofstream stdout_log;
  std::size_t line_number = 0;
  double value = kMissing;  // last reported value of the metric, to minimize
  nlohmann::json last_report;
  bool stop_requested = false;
  double started = 0;  // campaign seconds
  // Started again from a checkpoint after its process was lost (the campaign was interrupted,
  // a kept paused process was ended): reports the trial already made are dropped.
  bool relaunched = false;
  std::size_t attempts = 1;            // launches of this run: 1 + retries after failures
  std::optional<double> pause_at;      // pause: signal: the step the run ends at, process kept
  bool pausing = false;                // its end (a pause) is being recorded
};

// A trial's process. With pause: signal it outlives a run: stopped with SIGSTOP at a rung, it
// continues as the trial's next run when the trial is promoted.
struct Process {
  std::uint64_t serial = 0;  // tells this process's callbacks from an ended predecessor's
  runners::RunId id = 0;
};

// A kept process of a trial paused at a rung.
struct PausedProcess {
  fidelity::Budget budget;          // of the run that paused
  std::vector<std::string> lines;   // printed after the pause took effect, for the next run
  std::uint64_t order = 0;          // the oldest is ended first beyond trial.max_paused
  bool relaunched = false;          // the process was started from a checkpoint: it may repeat reports
};

// What the loop remembers of each trial for the trials table and the summary.
struct TrialRecord {
  space::Config config;
  std::size_t bracket = 0;
  std::size_t level = 0;
  std::map<std::size_t, double> values;  // per level, in the metric's direction
  std::optional<double> last_value;      // in the metric's direction
  std::optional<double> last_step;
  std::string last_failure;
  std::string state;  // as last written to the store; empty before the first write
  // The reports recorded since the trial last started from scratch: a run relaunched from a
  // checkpoint prints some of them again (steps count on across resumed runs).
  std::set<std::string> reports_seen;  // report_key()s
  std::optional<double> latest_step;
};

// "step|name,name": what makes a report the same report again after a relaunch.
std::string report_key(const nlohmann::json& step, const nlohmann::json& metrics) {
  std::string key = step.dump() + "|";
  for (const auto& [name, value] : metrics.items()) key += name + ",";  // keys come sorted
  return key;
}

class Loop {
 public:
  Loop(const CampaignSpec& spec, scheduler::Scheduler& scheduler, runners::Runner& runner,
       boost::asio::io_context& io, store::CampaignStore& store, const LoopOptions& options)
      : spec_(spec), scheduler_(scheduler), runner_(runner), io_(io), store_(store), options_(options),
        signals_(io), ticker_(io), started_(Clock::now()),
        parser_(spec.trial.report_format == ReportFormat::Json
                    ? runners::ReportParser()
                    : runners::ReportParser::regex(spec.trial.report_pattern)) {
    std::filesystem::create_directories(options.output / "trials");
    warnings_log_.open(options.output / "warnings.log", std::ios::app);
  }

  CampaignOutcome run() {
    replay_ = ReplayLog(store_.events(), store_.directory() / store::CampaignStore::kFileName);
    if (options_.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](const boost::system::error_code& ec, int) {
        if (!ec && !finished_) interrupt();
      });
    }
    tick();
    pump();
    if (replay_.active()) {
      replay();
      if (active_.empty()) pump();  // a finished campaign ends; otherwise runs are out again
    }
    io_.run();
    io_.restart();  // leave the context reusable for the caller
    if (!interrupted_) {
      sync_states(/*all=*/true);
      record_finish();
    }
    CampaignOutcome outcome;
    outcome.interrupted = interrupted_;
    outcome.best = best_;
    outcome.totals = snapshot();
    if (options_.progress) options_.progress->finish(outcome.totals);
    return outcome;
  }

 private:
  // ---- replay: rebuilding the state of a resumed campaign from its log (replay_log.hpp) -------

  void replay() {
    while (const store::Event* event = replay_.next_input()) {
      if (event->kind == store::EventKind::Report) replay_report(*event);
      else if (event->kind == store::EventKind::Exit) replay_exit(*event);
      else ++replayed_run(*event).attempts;  // a retry
    }
    if (!replay_ended_) end_replay();
  }

  // While replaying: true if `event` was recorded already; false when it is to be written
  // (the replay has ended, if it was on).
  bool replayed(const store::Event& event) {
    if (replay_ended_ || !replay_.active()) {
      if (!replay_ended_ && replay_.size() > 0) end_replay();
      return false;
    }
    if (replay_.match(event)) return true;
    end_replay();
    return false;
  }

  ActiveRun& replayed_run(const store::Event& event) {
    const auto found = active_.find(static_cast<scheduler::TrialId>(event.trial.value_or(0)));
    if (found == active_.end() || found->second->run_number != event.run.value_or(0))
      throw replay_.mismatch(event, "for a run that is not out at this point");
    return *found->second;
  }

  void replay_report(const store::Event& event) {
    ActiveRun& run = replayed_run(event);
    const auto& data = event.data;
    run.line_number = data.value("line", run.line_number);
    std::optional<double> step;
    if (data["step"].is_number()) step = data["step"].get<double>();
    remember(trials_.at(run.job.trial), data["step"], data["metrics"]);
    if (note_report(run, step, data["metrics"]) && decide(run, step)) maybe_pause(run, step);
  }

  void replay_exit(const store::Event& event) {
    replayed_run(event);
    const auto& data = event.data;
    const std::string failure = data["failure"].is_string() ? data["failure"].get<std::string>() : "";
    const double value = data["value"].is_number() ? spec_.metric.to_minimize(data["value"].get<double>()) : kMissing;
    apply_exit(static_cast<scheduler::TrialId>(*event.trial), failure, value);
  }

  // The log is exhausted: the campaign is where it was when it stopped. Runs that were out
  // start again from their checkpoints; those the scheduler had decided to stop end now.
  void end_replay() {
    replay_ended_ = true;
    const double last = replay_.end_time();
    if (options_.restore_clock) options_.restore_clock(last);
    else time_offset_ = last;

    std::size_t relaunched = 0;
    std::vector<scheduler::TrialId> stopped;
    for (auto& [trial, run] : active_)
      if (run->stop_requested) stopped.push_back(trial);
      else if (!run->pausing) ++relaunched;
    write({now(), store::EventKind::Resume, {}, {},
            {{"events", replay_.size()}, {"relaunched", relaunched}, {"ended", stopped.size()}}});

    for (const auto trial : stopped) {
      // The stop had been decided (and recorded) but its exit was not: it ends as stopped.
      boost::asio::post(io_, [this, trial] {
        runners::ExitStatus status;
        status.kind = runners::ExitStatus::Kind::Signaled;
        status.signal = SIGTERM;
        status.stopped = true;
        status.error = "ended on resume";
        on_exit(trial, status);
      });
    }
    for (auto& [trial, run] : active_) {
      if (run->stop_requested || run->pausing) continue;  // ends now, its end being recorded
      run->relaunched = true;
      const double already_ran = std::max(0.0, last - run->started);
      write({now(), store::EventKind::Relaunch, static_cast<std::int64_t>(trial), run->run_number,
              {{"already_ran", already_ran}}});
      auto launch = prepare_launch(spec_, launched_job(run->job), run->trial_dir);
      run->pause_at = pause_step(run->job);
      // Whatever it checkpointed before the interruption; RUNGS_RESUME keeps saying whether
      // the run itself continues from the level below (the simulated trials read that).
      launch.env["RUNGS_RELAUNCH"] = "1";
      launch.already_ran_seconds = already_ran;
      run->stdout_log.open(run->trial_dir / "stdout.log", std::ios::app);
      run->stdout_log << fmt::format("# run {} relaunched after the campaign resumed\n", run->run_number);
      submit(*run, std::move(launch));
    }
  }

  // ---- the live loop -------------------------------------------------------------------------

  // Hands out runs while there is room; ends the loop when nothing is left to do.
  void pump() {
    while (!interrupted_ && active_.size() < spec_.scheduler.max_concurrent) {
      auto job = scheduler_.next();
      if (!job) break;
      launch(std::move(*job));
    }
    if (replaying()) return;  // replay() goes on with the next recorded event
    if (active_.empty() && (interrupted_ || scheduler_.finished())) {
      while (!paused_.empty()) end_paused(paused_.begin()->first);  // nobody will continue them
      maybe_finish();
    } else if (active_.empty()) {
      throw std::logic_error("scheduler has work left but handed out nothing while no run is out");
    }
  }

  // Ends the event loop once no run is out and no process is left to end.
  void maybe_finish() {
    if (!active_.empty() || !ending_.empty() || !paused_.empty()) return;
    finished_ = true;  // cancel() misses a tick whose handler is already queued: it must not re-arm
    signals_.cancel();
    ticker_.cancel();
  }

  void interrupt() {
    if (interrupted_) return;
    interrupted_ = true;
    warn({}, {}, "interrupted: stopping every running trial");
    while (!paused_.empty()) end_paused(paused_.begin()->first);
    runner_.stop_all();
    maybe_finish();
  }

  std::unique_ptr<ActiveRun> start_run(const scheduler::Job& job, std::int64_t run_number) {
    auto& record = trials_[job.trial];
    if (fidelity::run_start(spec_.ladder, job.budget, job.resume_from) != fidelity::RunStart::Resume) {
      record.reports_seen.clear();  // it starts from scratch: its steps count from the start
      record.latest_step.reset();
    }
    record.config = job.config;
    record.bracket = job.bracket;
    record.level = job.budget.level;
    budget_used_ += fidelity::run_cost(spec_.ladder, job.budget, job.resume_from);
    runs_launched_ = std::max(runs_launched_, run_number);

    auto run = std::make_unique<ActiveRun>();
    run->job = job;
    run->run_number = run_number;
    run->trial_dir = trial_directory(options_.output, job.trial);
    run->started = now();
    return run;
  }

  void launch(scheduler::Job job) {
    auto run = start_run(job, runs_launched_ + 1);
    const bool resume = job.resume_from.has_value();
    // Recorded before the run is out: a replay that ends here must not relaunch it too.
    const bool was_recorded = write({now(), store::EventKind::Launch, static_cast<std::int64_t>(job.trial), run->run_number,
                                      {{"bracket", job.bracket}, {"level", job.budget.level}, {"units", job.budget.units},
                                       {"budget", to_json(spec_.ladder, job.budget)}, {"params", to_json(job.config)},
                                       {"resumed", resume},
                                       {"start", fidelity::to_string(fidelity::run_start(spec_.ladder, job.budget, job.resume_from))},
                                       {"cost", fidelity::run_cost(spec_.ladder, job.budget, job.resume_from)}}},
                                     job.trial, scheduler::TrialState::Running);
    ActiveRun& raw = *run;
    active_[job.trial] = std::move(run);
    raw.pause_at = pause_step(raw.job);
    if (was_recorded) return;  // replayed: it was out already
    if (continue_paused(raw)) return;
    if (auto leftover = leftover_lines_.extract(job.trial)) {
      raw.relaunched = true;  // drop the reports it repeats
      post_lines(job.trial, processes_started_ + 1, std::move(leftover.mapped()));
    }
    // A kept process of this trial was ended (its last lines may still come, late_line()).
    if (lost_processes_.erase(job.trial)) raw.relaunched = true;

    auto launch = prepare_launch(spec_, launched_job(raw.job), raw.trial_dir);
    // A kept process of this trial was ended: it may have died between a checkpoint and its
    // report, so the trial is told to report its checkpoint's step again.
    if (raw.relaunched) launch.env["RUNGS_RELAUNCH"] = "1";
    raw.stdout_log.open(raw.trial_dir / "stdout.log", std::ios::app);
    raw.stdout_log << fmt::format("# run {} at level {} ({})\n", raw.run_number, raw.job.budget.level,
                                  fidelity::to_string(fidelity::run_start(spec_.ladder, raw.job.budget, raw.job.resume_from)));
    submit(raw, std::move(launch));
  }

  void submit(ActiveRun& run, runners::LaunchSpec launch) {
    const auto trial = run.job.trial;
    const auto serial = ++processes_started_;
    launch.heartbeat = spec_.trial.heartbeat;
    runners::RunCallbacks callbacks;
    callbacks.on_line = [this, trial, serial](std::string_view line) { on_process_line(trial, serial, line); };
    callbacks.on_exit = [this, trial, serial](const runners::ExitStatus& status) { on_process_exit(trial, serial, status); };
    processes_[trial] = Process{serial, runner_.launch(std::move(launch), std::move(callbacks))};  // callbacks come later
  }

  void on_process_line(scheduler::TrialId trial, std::uint64_t serial, std::string_view line) {
    const auto process = processes_.find(trial);
    if (process == processes_.end() || process->second.serial != serial) {
      if (ending_.count(serial)) late_line(trial, line);
      return;
    }
    if (const auto run = active_.find(trial); run != active_.end()) on_line(*run->second, line);
    else if (const auto paused = paused_.find(trial); paused != paused_.end()) paused->second.lines.emplace_back(line);
  }

  void on_process_exit(scheduler::TrialId trial, std::uint64_t serial, const runners::ExitStatus& status) {
    const auto process = processes_.find(trial);
    if (process == processes_.end() || process->second.serial != serial) {  // an ended paused process
      ending_.erase(serial);
      maybe_finish();
      return;
    }
    processes_.erase(process);
    if (const auto paused = paused_.find(trial); paused != paused_.end()) {
      // It ended while paused (e.g. it trained to its end before the SIGSTOP landed): what it
      // printed after the pause goes to the trial's next run; a promotion relaunches it.
      if (!paused->second.lines.empty()) leftover_lines_[trial] = std::move(paused->second.lines);
      paused_.erase(paused);
      lost_processes_.insert(trial);
      if (!interrupted_ && !runners::succeeded(status))
        warn(trial, {}, fmt::format("trial {}: its paused process ended ({})", trial, runners::describe(status)));
      maybe_finish();
      return;
    }
    if (active_.count(trial)) on_exit(trial, status);
  }

  // ---- pause: signal -------------------------------------------------------------------------

  // What the trial process is launched with: under pause: signal, the whole of its continued
  // dimension (it pauses at the run's own value, see pause_step); else the job as it is.
  scheduler::Job launched_job(const scheduler::Job& job) const {
    if (!spec_.trial.keep_paused) return job;
    scheduler::Job whole = job;
    const auto& top = spec_.ladder.at(spec_.ladder.levels() - 1);
    for (const auto& dim : spec_.ladder.dimensions())
      if (dim.growth == fidelity::Growth::Continued) whole.budget.values[dim.name] = top.values.at(dim.name);
    return whole;
  }

  // The step at which a run of `job` pauses under pause: signal (none at the top level).
  std::optional<double> pause_step(const scheduler::Job& job) const {
    if (!spec_.trial.keep_paused || job.budget.level + 1 >= spec_.ladder.levels()) return std::nullopt;
    for (const auto& dim : spec_.ladder.dimensions())
      if (dim.growth == fidelity::Growth::Continued) return job.budget.values.at(dim.name);
    return std::nullopt;
  }

  // A report at or past the run's pause step ends the run for the scheduler; the process is
  // kept, stopped, for a promotion to continue.
  void maybe_pause(ActiveRun& run, std::optional<double> step) {
    if (!run.pause_at || !step || *step < *run.pause_at || run.stop_requested || run.pausing) return;
    run.pausing = true;  // before write(): a replay that ends there neither relaunches nor ends it
    const auto trial = run.job.trial;
    write({now(), store::EventKind::Exit, static_cast<std::int64_t>(trial), run.run_number,
           exit_data(run, run.value, std::nullopt, "", /*paused=*/true)},
          trial);
    if (const auto process = processes_.find(trial); process != processes_.end() && runner_.pause(process->second.id)) {
      paused_[trial] = PausedProcess{run.job.budget, {}, ++pauses_, run.relaunched};
      while (paused_.size() > spec_.trial.max_paused) {
        const auto oldest = std::min_element(paused_.begin(), paused_.end(), [](const auto& a, const auto& b) {
          return a.second.order < b.second.order;
        });
        end_paused(oldest->first, /*keep_lines=*/true);
      }
    }
    apply_exit(trial, "", run.value);
  }

  // Promotion of a paused trial: its process continues as this run when nothing but the
  // continued dimension changes; otherwise (more data, larger images) it is ended and the run
  // relaunches from the checkpoint. Lines printed after the pause are this run's first.
  bool continue_paused(ActiveRun& run) {
    const auto trial = run.job.trial;
    const auto paused = paused_.find(trial);
    if (paused == paused_.end()) return false;
    for (const auto& dim : spec_.ladder.dimensions())
      if (dim.growth != fidelity::Growth::Continued &&
          paused->second.budget.values.at(dim.name) != run.job.budget.values.at(dim.name)) {
        end_paused(trial);
        return false;
      }
    auto lines = std::move(paused->second.lines);
    run.relaunched = paused->second.relaunched;
    paused_.erase(paused);
    const auto& process = processes_.at(trial);
    runner_.resume(process.id);  // if it is dying meanwhile, its exit ends this run
    run.stdout_log.open(run.trial_dir / "stdout.log", std::ios::app);
    run.stdout_log << fmt::format("# run {} at level {}: the paused process continues\n", run.run_number,
                                  run.job.budget.level);
    post_lines(trial, process.serial, std::move(lines));
    return true;
  }

  // Lines a run gets before its process's own, posted: a report in them may end the run, which
  // must not happen inside pump().
  void post_lines(scheduler::TrialId trial, std::uint64_t serial, std::vector<std::string> lines) {
    if (lines.empty()) return;
    boost::asio::post(io_, [this, trial, serial, lines = std::move(lines)] {
      for (const auto& line : lines) on_process_line(trial, serial, line);
    });
  }

  // Ends a kept process. With keep_lines, what it printed after its pause goes to the trial's
  // next run, which relaunches from the checkpoint: a report it repeats is then dropped.
  // A line an ended paused process printed before it died (its SIGSTOP landed late): it
  // belongs to the trial's next run like the ones kept at the end, or to the run already
  // relaunched, which drops it if its new process has printed it again.
  void late_line(scheduler::TrialId trial, std::string_view line) {
    if (const auto run = active_.find(trial); run != active_.end() && run->second->relaunched) on_line(*run->second, line);
    else if (!active_.count(trial)) leftover_lines_[trial].emplace_back(line);
  }

  void end_paused(scheduler::TrialId trial, bool keep_lines = false) {
    if (const auto paused = paused_.find(trial); paused != paused_.end() && keep_lines && !paused->second.lines.empty())
      leftover_lines_[trial] = std::move(paused->second.lines);
    paused_.erase(trial);
    const auto process = processes_.find(trial);
    if (process == processes_.end()) return;
    ending_[process->second.serial] = trial;
    lost_processes_.insert(trial);
    runner_.stop(process->second.id);  // SIGTERM with a SIGCONT, so it can handle it
    processes_.erase(process);
  }

  void on_line(ActiveRun& run, std::string_view line) {
    run.stdout_log << line << '\n';
    const auto parsed = parser_.parse(line);
    if (run.relaunched && is_repeat(trials_.at(run.job.trial), parsed)) return;  // printed again
    ++run.line_number;
    if (const auto* error = std::get_if<runners::ParseError>(&parsed)) {
      warn(run.job.trial, run.run_number,
           fmt::format("trial {}, stdout line {}: {} (line: {})", run.job.trial, run.line_number, error->message,
                       line.substr(0, 200)));
      return;
    }
    const auto* report = std::get_if<runners::Report>(&parsed);
    if (!report) return;

    const auto metrics = metrics_of(*report);
    const nlohmann::json step = report->step ? nlohmann::json(*report->step) : nlohmann::json();
    remember(trials_.at(run.job.trial), step, metrics);

    std::optional<double> numeric_step;
    if (report->step) numeric_step = static_cast<double>(*report->step);
    const bool has_metric = note_report(run, numeric_step, metrics);
    write({now(), store::EventKind::Report, static_cast<std::int64_t>(run.job.trial), run.run_number,
            {{"level", run.job.budget.level}, {"line", run.line_number}, {"step", step},
             {"value", has_metric && std::isfinite(run.value) ? nlohmann::json(spec_.metric.from_minimized(run.value)) : nlohmann::json()},
             {"metrics", metrics}}},
           run.job.trial);
    if (has_metric && decide(run, numeric_step)) maybe_pause(run, numeric_step);
  }

  static nlohmann::json metrics_of(const runners::Report& report) {
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& [name, value] : report.metrics) metrics[name] = value;
    return metrics;
  }

  // A report the trial has made already: its step is below the latest recorded one, or it is
  // that step with the same metrics.
  static bool is_repeat(const TrialRecord& record, const runners::ParseResult& parsed) {
    const auto* report = std::get_if<runners::Report>(&parsed);
    if (!report) return false;
    if (report->step && record.latest_step && static_cast<double>(*report->step) < *record.latest_step) return true;
    const nlohmann::json step = report->step ? nlohmann::json(*report->step) : nlohmann::json();
    return record.reports_seen.count(report_key(step, metrics_of(*report))) > 0;
  }

  static void remember(TrialRecord& record, const nlohmann::json& step, const nlohmann::json& metrics) {
    record.reports_seen.insert(report_key(step, metrics));
    if (step.is_number()) record.latest_step = step.get<double>();
  }

  // What a report says about the run and its trial, live or replayed. False for a report
  // without the campaign's metric (e.g. a train-only line): it informs no decision.
  bool note_report(ActiveRun& run, std::optional<double> step, const nlohmann::json& metrics) {
    const auto metric = metrics.find(spec_.metric.name);
    if (metric == metrics.end()) return false;
    const double reported = metric->is_number() ? metric->get<double>() : kMissing;  // null: NaN/inf
    run.last_report = metrics;
    run.value = std::isfinite(reported) ? spec_.metric.to_minimize(reported) : kMissing;
    if (std::isfinite(reported)) {
      auto& record = trials_[run.job.trial];
      record.last_value = reported;
      record.last_step = step.value_or(static_cast<double>(run.line_number));
    }
    return true;
  }

  // The scheduler's decision on the run's latest value; a Stop is recorded, then carried out.
  // Returns false when the run is to stop.
  bool decide(ActiveRun& run, std::optional<double> step) {
    const scheduler::Report input{step.value_or(static_cast<double>(run.line_number)), run.value};
    if (scheduler_.on_report(run.job.trial, input) != scheduler::Decision::Stop) return !run.stop_requested;
    if (run.stop_requested) return false;
    run.stop_requested = true;  // before write(): a replay that ends there ends this run
    if (write({now(), store::EventKind::Decision, static_cast<std::int64_t>(run.job.trial), run.run_number,
                {{"decision", "stop"},
                 {"value", std::isfinite(run.value) ? nlohmann::json(spec_.metric.from_minimized(run.value)) : nlohmann::json()}}}))
      return false;
    if (const auto process = processes_.find(run.job.trial); process != processes_.end()) runner_.stop(process->second.id);
    return false;
  }

  void on_exit(scheduler::TrialId trial, const runners::ExitStatus& status) {
    ActiveRun& run = *active_.at(trial);
    // A run stopped by the scheduler's decision did what was asked; a stale one, with
    // on_stale: stop, ends with its last reported value; anything else that did not end with
    // exit code 0 and a report of the metric failed.
    std::string failure;
    using Kind = runners::ExitStatus::Kind;
    const bool stale_stop = status.stale && spec_.trial.on_stale == TrialSpec::OnStale::Stop && !run.last_report.is_null();
    if (run.stop_requested && !status.timed_out && !status.stale && status.kind != Kind::LaunchFailed) failure = "";
    else if (stale_stop) failure = "";
    else if (!runners::succeeded(status)) failure = runners::describe(status);
    else if (run.last_report.is_null()) failure = fmt::format("exited without reporting '{}'", spec_.metric.name);
    const bool failed = !failure.empty();
    const double value = failed ? kMissing : run.value;

    if (interrupted_) {  // no exit is recorded: the run was out when the campaign stopped
      apply_exit(trial, failure, value, /*interrupted=*/true);
      return;
    }
    if (failed && may_retry(run, status)) {
      retry(run, failure);
      return;
    }
    write({now(), store::EventKind::Exit, static_cast<std::int64_t>(trial), run.run_number,
           exit_data(run, value, status, failure, /*paused=*/false)},
          trial);
    if (failed) warn(trial, run.run_number, fmt::format("trial {} run {}: {}", trial, run.run_number, failure));
    apply_exit(trial, failure, value);
  }

  nlohmann::json exit_data(const ActiveRun& run, double value, const std::optional<runners::ExitStatus>& status,
                           const std::string& failure, bool paused) const {
    using Kind = runners::ExitStatus::Kind;
    const auto null = nlohmann::json();
    return {{"value", std::isfinite(value) && failure.empty() ? nlohmann::json(spec_.metric.from_minimized(value)) : null},
            {"stopped_by_scheduler", run.stop_requested},
            {"paused", paused},
            {"exit_code", status && status->kind == Kind::Exited ? nlohmann::json(status->code) : null},
            {"signal", status && status->kind == Kind::Signaled ? nlohmann::json(status->signal) : null},
            {"timed_out", status && status->timed_out},
            {"stale", status && status->stale},
            {"failure", failure.empty() ? null : nlohmann::json(failure)},
            {"attempts", run.attempts},
            {"seconds", now() - run.started}};
  }

  // trial.retries: a failed run is launched again, resuming from its checkpoint, unless the
  // scheduler asked it to stop or a stale run is to fail at once.
  bool may_retry(const ActiveRun& run, const runners::ExitStatus& status) const {
    if (run.stop_requested || run.attempts > spec_.trial.retries) return false;
    return !status.stale || spec_.trial.on_stale == TrialSpec::OnStale::Retry;
  }

  void retry(ActiveRun& run, const std::string& failure) {
    const auto trial = run.job.trial;
    write({now(), store::EventKind::Retry, static_cast<std::int64_t>(trial), run.run_number,
           {{"failure", failure}, {"attempt", run.attempts}}});
    warn(trial, run.run_number, fmt::format("trial {} run {}: {}; retrying ({} of {})", trial, run.run_number, failure,
                                            run.attempts, spec_.trial.retries));
    ++run.attempts;
    auto launch = prepare_launch(spec_, launched_job(run.job), run.trial_dir);
    launch.env["RUNGS_RELAUNCH"] = "1";  // whatever it checkpointed before it failed
    run.stdout_log << fmt::format("# run {} retried (attempt {})\n", run.run_number, run.attempts);
    submit(run, std::move(launch));
  }

  // A run's end, live or replayed.
  void apply_exit(scheduler::TrialId trial, const std::string& failure, double value, bool interrupted = false) {
    auto node = active_.extract(trial);
    if (!paused_.count(trial)) processes_.erase(trial);
    const ActiveRun& run = *node.mapped();
    auto& record = trials_[trial];
    const bool failed = !failure.empty();
    if (failed) record.last_failure = failure;
    // A run stopped early never reached its budget: its last value is not the value there.
    if (std::isfinite(value) && !run.stop_requested) record.values[run.job.budget.level] = spec_.metric.from_minimized(value);
    consider_best(run, value, failed);
    if (interrupted) {
      pump();
      return;
    }
    scheduler_.on_run_end(trial, scheduler::RunEnd{value, failed});
    sync_states(/*all=*/false);
    pump();
  }

  // Writes a State event for each trial whose scheduler state changed. A run's end can change
  // other trials too (a rung completes: its losers stop), so every unsettled trial is checked;
  // `all` checks settled ones as well (at the end).
  void sync_states(bool all) {
    for (auto& [id, record] : trials_) {
      if (!all && is_settled(record.state)) continue;
      const auto state = scheduler_.state(id);
      if (record.state == scheduler::to_string(state)) continue;
      write({now(), store::EventKind::State, static_cast<std::int64_t>(id), {}, {{"state", scheduler::to_string(state)}}},
             id, state);
    }
  }

  static bool is_settled(const std::string& state) {
    using scheduler::TrialState;
    return state == to_string(TrialState::Completed) || state == to_string(TrialState::Failed) ||
           state == to_string(TrialState::Stopped);
  }

  store::TrialRow trial_row(scheduler::TrialId id) const {
    const auto& record = trials_.at(id);
    store::TrialRow row;
    row.trial = static_cast<std::int64_t>(id);
    row.bracket = static_cast<std::int64_t>(record.bracket);
    row.params = to_json(record.config);
    row.state = record.state;
    row.level = static_cast<std::int64_t>(record.level);
    row.budget = to_json(spec_.ladder, spec_.ladder.at(record.level));
    row.last_value = record.last_value;
    row.last_step = record.last_step;
    for (const auto& [level, value] : record.values) row.values_by_level[std::to_string(level)] = value;
    if (!record.last_failure.empty()) row.failure = record.last_failure;
    row.updated = now();
    return row;
  }

  // Appends to the store; with a trial, its row too (in the state given, or as last
  // written). While replaying, checks the event against the log instead: returns true if it
  // was recorded already.
  bool write(store::Event event, std::optional<scheduler::TrialId> trial = std::nullopt,
              std::optional<scheduler::TrialState> state = std::nullopt) {
    if (trial && state) trials_.at(*trial).state = scheduler::to_string(*state);
    if (replayed(event)) return true;
    if (!trial) {
      store_.append(std::move(event));
      return false;
    }
    const auto row = trial_row(*trial);
    store_.append(std::move(event), &row);
    return false;
  }

  // The campaign's end, as an event: `rungs status` and the report say "finished" from it,
  // whoever drove the loop (the CLI or a C++ program).
  void record_finish() {
    nlohmann::json best = nullptr;
    if (best_) best = {{"trial", best_->trial}, {"level", best_->level}, {"value", best_->value}};
    store_.append({now(), store::EventKind::Finish, {}, {}, {{"best", best}, {"runs", runs_launched_}}});
  }

  void warn(std::optional<scheduler::TrialId> trial, std::optional<std::int64_t> run, const std::string& message) {
    store::Event event{now(), store::EventKind::Warning, {}, run, {{"message", message}}};
    if (trial) event.trial = static_cast<std::int64_t>(*trial);
    store_.append(std::move(event));
    warnings_log_ << message << '\n';
    warnings_log_.flush();
  }

  void consider_best(const ActiveRun& run, double value, bool failed) {
    const auto level = run.job.budget.level;
    if (incumbent_.offer({run.job.trial, level, value, run.stop_requested, failed}))
      best_ = BestResult{run.job.trial, level, spec_.metric.from_minimized(value), run.job.config, run.last_report};
  }

  ProgressSnapshot snapshot() const {
    ProgressSnapshot s;
    s.elapsed = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(now()));
    s.running = active_.size();
    for (const auto& [id, record] : trials_) {
      switch (scheduler_.state(id)) {
        case scheduler::TrialState::Completed: ++s.completed; break;
        case scheduler::TrialState::Stopped: ++s.stopped; break;
        case scheduler::TrialState::Failed: ++s.failed; break;
        default: break;
      }
    }
    s.budget_used = budget_used_;
    s.metric = spec_.metric.name;
    if (best_) s.best = best_->value, s.best_trial = best_->trial;
    return s;
  }

  void tick() {
    if (options_.progress && !replaying()) options_.progress->update(snapshot());
    ticker_.expires_after(options_.progress_interval);
    ticker_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec && !finished_) tick();
    });
  }

  // Campaign seconds: the recorded time while replaying, else the clock (real or virtual)
  // plus, for a resumed real campaign, the time it had run before.
  double now() const {
    if (replaying()) return replay_.time();
    if (options_.clock) return options_.clock();
    return time_offset_ + std::chrono::duration<double>(Clock::now() - started_).count();
  }

  const CampaignSpec& spec_;
  scheduler::Scheduler& scheduler_;
  runners::Runner& runner_;
  boost::asio::io_context& io_;
  store::CampaignStore& store_;
  const LoopOptions& options_;
  std::ofstream warnings_log_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer ticker_;
  Clock::time_point started_;
  double time_offset_ = 0;
  runners::ReportParser parser_;

  ReplayLog replay_;           // the recorded events, when resuming
  bool replay_ended_ = false;  // end_replay() ran: the campaign goes on live

  bool replaying() const { return replay_.size() > 0 && !replay_ended_; }

  std::map<scheduler::TrialId, std::unique_ptr<ActiveRun>> active_;
  std::map<scheduler::TrialId, Process> processes_;     // each trial's live process, if any
  std::map<scheduler::TrialId, PausedProcess> paused_;  // trials whose process is kept paused
  std::map<std::uint64_t, scheduler::TrialId> ending_;  // paused processes being ended, by serial
  std::map<scheduler::TrialId, std::vector<std::string>> leftover_lines_;  // of ended paused processes
  std::set<scheduler::TrialId> lost_processes_;  // trials whose kept process was ended
  std::uint64_t processes_started_ = 0;
  std::uint64_t pauses_ = 0;
  std::map<scheduler::TrialId, TrialRecord> trials_;
  scheduler::Incumbent incumbent_;
  std::optional<BestResult> best_;  // the incumbent's details
  std::int64_t runs_launched_ = 0;
  double budget_used_ = 0;
  bool interrupted_ = false;
  bool finished_ = false;  // the event loop is to end: nothing re-arms the ticker
};

}  // namespace

CampaignOutcome run_campaign(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                             runners::Runner& runner, boost::asio::io_context& io,
                             store::CampaignStore& store, const LoopOptions& options) {
  Loop loop(spec, scheduler, runner, io, store, options);
  return loop.run();
}

}  // namespace rungs::campaign
