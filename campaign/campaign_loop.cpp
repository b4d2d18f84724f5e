#include "campaign/campaign_loop.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fmt/format.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <map>

#include "campaign/results_log.hpp"
#include "campaign/trial_launch.hpp"
#include "runners/report_parser.hpp"

namespace rungs::campaign {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
using Clock = std::chrono::steady_clock;

// Where a trial run stands while it is out.
struct ActiveRun {
  scheduler::Job job;
  std::size_t run_number = 0;
  std::filesystem::path trial_dir;
  std::ofstream stdout_log;
  std::size_t line_number = 0;
  double value = kMissing;  // last reported value of the metric, to minimize
  nlohmann::json last_report;
  bool stop_requested = false;
  double started = 0;  // campaign seconds
};

// What the loop remembers of each trial for trials.jsonl and the summary.
struct TrialRecord {
  space::Config config;
  std::size_t bracket = 0;
  std::size_t level = 0;
  std::map<std::size_t, double> values;  // per level, in the metric's direction
  std::string last_failure;
};

class Loop {
 public:
  Loop(const CampaignSpec& spec, scheduler::Scheduler& scheduler, runners::Runner& runner,
       boost::asio::io_context& io, const LoopOptions& options)
      : spec_(spec), scheduler_(scheduler), runner_(runner), io_(io), options_(options),
        results_(options.output), signals_(io), ticker_(io), started_(Clock::now()),
        now_(options.clock ? options.clock : [this] { return real_seconds(); }),
        parser_(spec.trial.report_format == ReportFormat::Json
                    ? runners::ReportParser()
                    : runners::ReportParser::regex(spec.trial.report_pattern)) {
    std::filesystem::create_directories(options.output / "trials");
  }

  CampaignOutcome run() {
    if (options_.handle_signals) {
      signals_.add(SIGINT);
      signals_.add(SIGTERM);
      signals_.async_wait([this](const boost::system::error_code& ec, int) {
        if (!ec) interrupt();
      });
    }
    tick();
    pump();
    io_.run();
    io_.restart();  // leave the context reusable for the caller
    write_trials();
    CampaignOutcome outcome;
    outcome.interrupted = interrupted_;
    outcome.best = best_;
    outcome.totals = snapshot();
    if (options_.progress) options_.progress->finish(outcome.totals);
    return outcome;
  }

 private:
  // Hands out runs while there is room; ends the loop when nothing is left to do.
  void pump() {
    while (!interrupted_ && active_.size() < spec_.scheduler.max_concurrent) {
      auto job = scheduler_.next();
      if (!job) break;
      launch(std::move(*job));
    }
    if (active_.empty() && (interrupted_ || scheduler_.finished())) finish();
    else if (active_.empty())
      throw std::logic_error("scheduler has work left but handed out nothing while no run is out");
  }

  void finish() {
    signals_.cancel();
    ticker_.cancel();
  }

  void interrupt() {
    if (interrupted_) return;
    interrupted_ = true;
    results_.warn("interrupted: stopping every running trial");
    runner_.stop_all();
    if (active_.empty()) finish();
  }

  void launch(scheduler::Job job) {
    auto& record = trials_[job.trial];
    record.config = job.config;
    record.bracket = job.bracket;
    record.level = job.budget.level;

    const auto trial_dir = trial_directory(options_.output, job.trial);
    auto launch = prepare_launch(spec_, job, trial_dir);
    const bool resume = job.resume_from.has_value();

    // Charged budget: a promoted run that continues (epochs-like dimension) pays the increment.
    budget_used_ += job.budget.units - (resume && continues() ? job.resume_from->units : 0.0);

    auto run = std::make_unique<ActiveRun>();
    run->job = std::move(job);
    run->run_number = ++runs_launched_;
    run->trial_dir = trial_dir;
    run->stdout_log.open(trial_dir / "stdout.log", std::ios::app);
    run->started = now_();
    ActiveRun* raw = run.get();
    const auto trial = raw->job.trial;
    active_[trial] = std::move(run);
    raw->stdout_log << fmt::format("# run {} at level {}{}\n", raw->run_number, raw->job.budget.level,
                                   resume ? " (resume)" : "");

    runners::RunCallbacks callbacks;
    callbacks.on_line = [this, raw](std::string_view line) { on_line(*raw, line); };
    callbacks.on_exit = [this, trial](const runners::ExitStatus& status) { on_exit(trial, status); };
    raw_ids_[trial] = runner_.launch(std::move(launch), std::move(callbacks));  // callbacks come later
  }

  bool continues() const {
    for (const auto& dim : spec_.ladder.dimensions())
      if (dim.growth == fidelity::Growth::Continued) return true;
    return false;
  }

  void on_line(ActiveRun& run, std::string_view line) {
    ++run.line_number;
    run.stdout_log << line << '\n';
    const auto parsed = parser_.parse(line);
    if (const auto* error = std::get_if<runners::ParseError>(&parsed)) {
      results_.warn(fmt::format("trial {}, stdout line {}: {} (line: {})", run.job.trial,
                                run.line_number, error->message, line.substr(0, 200)));
      return;
    }
    const auto* report = std::get_if<runners::Report>(&parsed);
    if (!report) return;

    nlohmann::json row = {{"trial", run.job.trial}, {"run", run.run_number},
                          {"level", run.job.budget.level}, {"line", run.line_number},
                          {"time", now_()}};
    if (report->step) row["step"] = *report->step;
    for (const auto& [name, value] : report->metrics) row[name] = value;
    results_.report(row);

    const auto metric = report->metrics.find(spec_.metric.name);
    if (metric == report->metrics.end()) return;  // e.g. a train-only report line
    run.last_report = row;
    run.value = std::isfinite(metric->second) ? spec_.metric.to_minimize(metric->second) : kMissing;
    const scheduler::Report decision_input{static_cast<double>(report->step.value_or(static_cast<std::int64_t>(run.line_number))),
                                           run.value};
    if (scheduler_.on_report(run.job.trial, decision_input) == scheduler::Decision::Stop &&
        !run.stop_requested) {
      run.stop_requested = true;
      runner_.stop(raw_ids_.at(run.job.trial));
    }
  }

  void on_exit(scheduler::TrialId trial, const runners::ExitStatus& status) {
    auto node = active_.extract(trial);
    raw_ids_.erase(trial);
    ActiveRun& run = *node.mapped();
    auto& record = trials_[trial];

    // A run stopped by the scheduler's decision did what was asked; anything else that did not
    // end with exit code 0 and a report of the metric failed.
    std::string failure;
    using Kind = runners::ExitStatus::Kind;
    if (run.stop_requested && !status.timed_out && status.kind != Kind::LaunchFailed) failure = "";
    else if (!runners::succeeded(status)) failure = runners::describe(status);
    else if (run.last_report.is_null()) failure = fmt::format("exited without reporting '{}'", spec_.metric.name);

    const bool failed = !failure.empty();
    const double value = failed ? kMissing : run.value;
    if (failed) record.last_failure = failure;
    // A run stopped early never reached its budget: its last value is not the value there.
    if (std::isfinite(value) && !run.stop_requested) {
      record.values[run.job.budget.level] = spec_.metric.from_minimized(value);
      consider_best(run, value);
    }

    nlohmann::json row = {{"trial", trial}, {"run", run.run_number}, {"bracket", run.job.bracket},
                          {"level", run.job.budget.level}, {"units", run.job.budget.units},
                          {"budget", to_json(spec_.ladder, run.job.budget)},
                          {"resumed", run.job.resume_from.has_value()},
                          {"params", to_json(run.job.config)},
                          {"value", std::isfinite(value) ? nlohmann::json(spec_.metric.from_minimized(value)) : nlohmann::json()},
                          {"stopped_by_scheduler", run.stop_requested},
                          {"exit_code", status.kind == Kind::Exited ? nlohmann::json(status.code) : nlohmann::json()},
                          {"signal", status.kind == Kind::Signaled ? nlohmann::json(status.signal) : nlohmann::json()},
                          {"failure", failed ? nlohmann::json(failure) : nlohmann::json()},
                          {"seconds", now_() - run.started}};
    results_.run(row);
    if (failed && !interrupted_) results_.warn(fmt::format("trial {} run {}: {}", trial, run.run_number, failure));

    if (!interrupted_) scheduler_.on_run_end(trial, scheduler::RunEnd{value, failed});
    pump();
  }

  void consider_best(const ActiveRun& run, double value) {
    const auto level = run.job.budget.level;
    if (best_ && (level < best_->level ||
                  (level == best_->level && value >= spec_.metric.to_minimize(best_->value))))
      return;
    best_ = BestResult{run.job.trial, level, spec_.metric.from_minimized(value), run.job.config, run.last_report};
  }

  ProgressSnapshot snapshot() const {
    ProgressSnapshot s;
    s.elapsed = std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(now_()));
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
    if (options_.progress) options_.progress->update(snapshot());
    ticker_.expires_after(std::chrono::milliseconds(250));
    ticker_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) tick();
    });
  }

  double real_seconds() const {
    return std::chrono::duration<double>(Clock::now() - started_).count();
  }

  void write_trials() {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& [id, record] : trials_) {
      nlohmann::json values = nlohmann::json::object();
      for (const auto& [level, value] : record.values) values[std::to_string(level)] = value;
      rows.push_back({{"trial", id}, {"state", scheduler::to_string(scheduler_.state(id))},
                      {"bracket", record.bracket}, {"level", record.level},
                      {"budget", to_json(spec_.ladder, spec_.ladder.at(record.level))},
                      {"params", to_json(record.config)}, {"values_by_level", values},
                      {"failure", record.last_failure.empty() ? nlohmann::json() : nlohmann::json(record.last_failure)}});
    }
    results_.trials(rows);
  }

  const CampaignSpec& spec_;
  scheduler::Scheduler& scheduler_;
  runners::Runner& runner_;
  boost::asio::io_context& io_;
  const LoopOptions& options_;
  ResultsLog results_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer ticker_;
  Clock::time_point started_;
  std::function<double()> now_;  // campaign seconds: real, or a simulation's virtual clock
  runners::ReportParser parser_;

  std::map<scheduler::TrialId, std::unique_ptr<ActiveRun>> active_;
  std::map<scheduler::TrialId, runners::RunId> raw_ids_;
  std::map<scheduler::TrialId, TrialRecord> trials_;
  std::optional<BestResult> best_;
  std::size_t runs_launched_ = 0;
  double budget_used_ = 0;
  bool interrupted_ = false;
};

}  // namespace

CampaignOutcome run_campaign(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                             runners::Runner& runner, boost::asio::io_context& io,
                             const LoopOptions& options) {
  Loop loop(spec, scheduler, runner, io, options);
  return loop.run();
}

}  // namespace rungs::campaign
