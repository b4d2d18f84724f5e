#include "campaign/dispatcher.hpp"

#include <boost/asio/post.hpp>

#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <limits>

#include "campaign/campaign_growth.hpp"
#include "campaign/retrain_check.hpp"
#include "campaign/run_end.hpp"
#include "campaign/signal_pause.hpp"
#include "campaign/objectives.hpp"
#include "campaign/trial_launch.hpp"
#include "fidelity/run_cost.hpp"

namespace rungs::campaign {

namespace {

constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
// How long a posted group commit waits for more events (see the constructor).
constexpr std::chrono::milliseconds kCommitDelay{20};

nlohmann::json metrics_of(const runners::Report& report) {
  nlohmann::json metrics = nlohmann::json::object();
  for (const auto& [name, value] : report.metrics) metrics[name] = value;
  return metrics;
}

}  // namespace

Dispatcher::Dispatcher(const CampaignSpec& spec, scheduler::Scheduler& scheduler, runners::Runner& runner,
                       boost::asio::io_context& io, store::CampaignStore& store, const LoopOptions& options)
    : spec_(spec), scheduler_(scheduler), io_(io), options_(options),
      journal_(store, options.clock, options.restore_clock),
      processes_(runner, io, *this, spec.trial.max_paused), trials_(spec.ladder), events_(spec),
      signals_(io), ticker_(io),
      parser_(spec.trial.report_format == ReportFormat::Json ? runners::ReportParser()
                                                              : runners::ReportParser::regex(spec.trial.report_pattern)),
      limits_(campaign_limits(spec)) {
  bounds_ = journal_.recorded() > 0 ? recorded_bounds(spec, store) : bounds_of(spec);
  journal_.on_recorded_growth([this](const store::Event& event) { replay_growth(event); });
  std::filesystem::create_directories(options.output / "trials");
  warnings_log_.open(options.output / "warnings.log", std::ios::app);
  journal_.on_replay_end([this] { relaunch_runs_out(); });
  // A posted commit waits a little: a trial printing a line every few milliseconds would
  // otherwise cost a commit per line (EventJournal::group_commits says why nothing is lost).
  journal_.group_commits([this](std::function<void()> commit) {
    auto timer = std::make_shared<boost::asio::steady_timer>(io_, kCommitDelay);
    timer->async_wait([timer, commit = std::move(commit)](const boost::system::error_code&) { commit(); });
  });
  processes_.before_each_effect([this] { journal_.commit(); });
}

CampaignOutcome Dispatcher::run() {
  if (options_.handle_signals) {
    signals_.add(SIGINT);
    signals_.add(SIGTERM);
    signals_.add(SIGHUP);  // a closed terminal or SSH session: stop everything, then exit
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec && !finished_) interrupt();
    });
  }
  tick();
  pump();
  if (journal_.replaying()) {
    replay();
    pump();  // a finished campaign ends (or goes on, grown); otherwise runs are out again
  }
  io_.run();
  io_.restart();  // leave the context reusable for the caller
  journal_.commit_each();  // no handler runs any more to commit a group
  const bool wall_stopped = limit_reached_ == Limit::Wall;
  if (!interrupted_) sync_states(/*all=*/true);
  if (!interrupted_ || failed_ || wall_stopped) record_finish();
  CampaignOutcome outcome;
  outcome.interrupted = interrupted_ && !failed_ && !wall_stopped;
  if (limit_reached_) outcome.limit = limit_note();
  outcome.failed = failed_;
  outcome.best = best_;
  outcome.front = pareto_result(front_candidates_);
  outcome.totals = snapshot();
  outcome.totals.finished = !interrupted_;
  if (options_.progress) options_.progress->finish(outcome.totals);
  return outcome;
}

void Dispatcher::pump() {
  if (!journal_.replaying()) check_wall();
  while (!interrupted_ && active_.size() < spec_.scheduler.max_concurrent) {
    // A job a limit held is the scheduler's next one still: it goes first, or nothing does.
    auto job = held_ ? std::exchange(held_, std::nullopt) : scheduler_.next();
    if (!job) break;
    if (const auto limit = refusal(*job)) {
      held_ = std::move(job);
      limit_reached_ = limit;
      break;
    }
    launch(std::move(*job));
  }
  if (journal_.replaying()) return;  // replay() goes on with the next recorded event
  if (active_.empty() && (interrupted_ || scheduler_.finished() || held_)) {
    processes_.end_all_kept();  // nobody will continue them
    maybe_finish();
  } else if (active_.empty()) {
    throw std::logic_error("scheduler has work left but handed out nothing while no run is out");
  }
}

void Dispatcher::maybe_finish() {
  if (!active_.empty() || !processes_.idle()) return;
  finished_ = true;  // cancel() misses a tick whose handler is already queued: it must not re-arm
  signals_.cancel();
  ticker_.cancel();
}

void Dispatcher::interrupt() {
  if (interrupted_) return;
  interrupted_ = true;
  warn({}, {}, "interrupted: stopping every running trial");
  processes_.stop_all();
  maybe_finish();
}

void Dispatcher::launch(scheduler::Job job) {
  trials_.open(job);
  auto run = std::make_unique<ActiveRun>();
  run->charged = fidelity::run_cost(spec_.ladder, job.budget, job.resume_from);
  budget_used_ += run->charged;
  run->run_number = ++runs_launched_;
  run->job = std::move(job);
  run->trial_dir = trial_directory(options_.output, run->job.trial);
  run->started = now();
  const auto trial = run->job.trial;
  // Recorded before the run is out: a replay that ends here must not relaunch it too.
  trials_.set_state(trial, scheduler::TrialState::Running);
  const bool was_recorded = write(launch_event(*run), trial);
  ActiveRun& raw = *run;
  active_[trial] = std::move(run);
  raw.pause_at = pause_step(spec_, raw.job);
  if (was_recorded) return;  // replayed: it was out already
  const auto start = fidelity::run_start(spec_.ladder, raw.job.budget, raw.job.resume_from);
  if (const auto* kept = processes_.kept(trial)) {
    if (continues_paused(spec_.ladder, kept->budget, raw.job.budget)) {
      // Lines it printed after the pause are this run's first.
      raw.relaunched = kept->relaunched;
      processes_.continue_kept(trial);
      raw.stdout_log.open(raw.trial_dir / "stdout.log", std::ios::app);
      raw.stdout_log << fmt::format("# run {} at level {}: the paused process continues\n", raw.run_number,
                                    raw.job.budget.level);
      return;
    }
    processes_.end_kept(trial);  // more data, larger images: it relaunches from its checkpoint
  }
  // A kept process of this trial was ended: it may have died between a checkpoint and its
  // report, so the trial is told to report its checkpoint's step again, and the reports it
  // repeats are dropped.
  if (raw.job.inherits) inherit(raw);  // before anything runs in the trial's directory
  auto lost = processes_.take_lost(trial);
  if (lost) raw.relaunched = true;
  auto launch = prepare_launch(spec_, launched_job(spec_, raw.job), raw.trial_dir);
  if (raw.relaunched) launch.env["RUNGS_RELAUNCH"] = "1";
  raw.stdout_log.open(raw.trial_dir / "stdout.log", std::ios::app);
  raw.stdout_log << fmt::format("# run {} at level {} ({})\n", raw.run_number, raw.job.budget.level,
                                fidelity::to_string(start));
  submit(raw, std::move(launch), lost ? std::move(*lost) : std::vector<std::string>{});
}

void Dispatcher::submit(ActiveRun& run, runners::LaunchSpec launch, std::vector<std::string> first_lines) {
  launch.heartbeat = spec_.trial.heartbeat;
  if (options_.output_files) {
    launch.stdout_path = run.trial_dir / fmt::format("run-{}.out", run.run_number);
    launch.stdout_offset = run.output_offset;  // a retry or a relaunch reads on where the loop stopped
    // The run's processes (local) or jobs (Slurm), for a restarted rungs to end or follow on.
    launch.process_record = process_record(run);
  }
  launch.name = fmt::format("{}-t{}-r{}", spec_.name, run.job.trial, run.run_number);
  if (spec_.runner.kind == RunnerSpec::Kind::Slurm) launch.resources = sbatch_options(spec_.runner.slurm, run.job.budget.level);
  processes_.launch(run.job.trial, std::move(launch), std::move(first_lines));
}

void Dispatcher::on_run_line(scheduler::TrialId trial, std::string_view line, std::optional<std::uint64_t> end) {
  check_wall();
  const auto run = active_.find(trial);
  if (run == active_.end()) return;
  ActiveRun& active = *run->second;  // on_line may end the run (a pause): keep what it needs first
  if (end && options_.output_files) active.output_offset = *end;
  on_line(active, line, options_.output_files ? end : std::nullopt);
}

void Dispatcher::on_run_exit(scheduler::TrialId trial, const runners::ExitStatus& status) {
  check_wall();  // before the exit: a run ending past the wall is not recorded, as on Ctrl-C
  if (active_.count(trial)) on_exit(trial, status);
}

// A run relaunched while its trial's ended process still spoke takes the line (and drops
// it if its own process printed it already); a fresh one ignores it.
bool Dispatcher::on_late_line(scheduler::TrialId trial, std::string_view line) {
  const auto run = active_.find(trial);
  if (run == active_.end()) return false;
  if (run->second->relaunched) on_line(*run->second, line);
  return true;
}

void Dispatcher::on_kept_process_died(scheduler::TrialId trial, const runners::ExitStatus& status) {
  if (!interrupted_ && !runners::succeeded(status))
    warn(trial, {}, fmt::format("trial {}: its paused process ended ({})", trial, runners::describe(status)));
  maybe_finish();
}

void Dispatcher::on_process_gone() { maybe_finish(); }

// A Slurm job chained after its time limit (or preemption): the trial reports its
// checkpoint's step again, which the repeat filter drops.
void Dispatcher::on_run_relaunched(scheduler::TrialId trial) {
  const auto run = active_.find(trial);
  if (run == active_.end()) return;
  run->second->relaunched = true;
  run->second->stdout_log << fmt::format("# run {} continues from its checkpoint in a new job\n", run->second->run_number);
}

void Dispatcher::on_line(ActiveRun& run, std::string_view line, std::optional<std::uint64_t> end) {
  run.stdout_log << line << '\n';
  const auto parsed = parser_.parse(line);
  const auto* report = std::get_if<runners::Report>(&parsed);
  auto& repeats = trials_.at(run.job.trial).repeats;
  nlohmann::json step = report && report->step ? nlohmann::json(*report->step) : nlohmann::json();
  nlohmann::json metrics = report ? metrics_of(*report) : nlohmann::json();
  if (run.relaunched && report && repeats.is_repeat(step, metrics)) return;  // printed again
  ++run.line_number;
  if (const auto* error = std::get_if<runners::ParseError>(&parsed)) {
    warn(run.job.trial, run.run_number,
         fmt::format("trial {}, stdout line {}: {} (line: {})", run.job.trial, run.line_number, error->message,
                     line.substr(0, 200)));
    return;
  }
  if (!report) return;
  repeats.remember(step, metrics);
  std::optional<double> numeric_step;
  if (report->step) numeric_step = static_cast<double>(*report->step);
  const bool has_metric = note_report(run, numeric_step, metrics);
  auto event = events_.report(now(), run, std::move(step), std::move(metrics), has_metric);
  if (end) event.data["offset"] = *end;  // where a relaunch after a crash reads on
  write(std::move(event), run.job.trial);
  if (has_metric && decide(run, numeric_step)) maybe_pause(run, numeric_step);
}

bool Dispatcher::note_report(ActiveRun& run, std::optional<double> step, const nlohmann::json& metrics) {
  if (step && !run.step_checked) check_resumed(run, *step);
  auto& record = trials_.at(run.job.trial);
  if (!spec_.objectives.constraints.empty()) {
    note_constraints(spec_.objectives, metrics, record.constraint_values);
    run.measures = measures_of(spec_.objectives, record.constraint_values, run.objectives);
    run.constraint_values = record.constraint_values;
  }
  const LineValue line = read_line(spec_.metric, spec_.objectives, metrics);
  if (!line.has_value) {
    if (run.last_report.is_null()) run.note_other_metrics(metrics);
    return false;
  }
  run.last_report = metrics;
  run.value = line.value;
  run.objectives = line.objectives;
  run.measures = measures_of(spec_.objectives, record.constraint_values, run.objectives);
  if (std::isfinite(line.value)) {
    record.last_value = spec_.metric.from_minimized(line.value);
    record.last_step = step.value_or(static_cast<double>(run.line_number));
  }
  return true;
}

void Dispatcher::check_resumed(ActiveRun& run, double first_step) {
  run.step_checked = true;
  auto& record = trials_.at(run.job.trial);
  if (run.relaunched || run.attempts > 1 || !retrains_from_start(spec_.ladder, run.job, first_step, record.last_step))
    return;
  const double cost = retrained_cost(spec_.ladder, run.job);
  budget_used_ += cost - run.charged;
  run.charged = cost;
  run.retrained = true;
  if (record.retrain_warned) return;
  record.retrain_warned = true;  // replayed too: a resumed campaign does not warn again
  if (!journal_.replaying())  // a warning is recorded once, live (the replay skips warnings)
    warn(run.job.trial, run.run_number,
         fmt::format("trial {} run {}: told to resume (RUNGS_RESUME=1) after step {:g}, it reported step {:g} "
                     "again: it ignored RUNGS_RESUME and trained from the start; charged {:g} (a fresh run) "
                     "instead of {:g}. Load the checkpoint when RUNGS_RESUME=1 (docs/fidelity.md)",
                     run.job.trial, run.run_number, *record.last_step, first_step, cost,
                     fidelity::run_cost(spec_.ladder, run.job.budget, run.job.resume_from)));
}

bool Dispatcher::decide(ActiveRun& run, std::optional<double> step) {
  const scheduler::Report input{step.value_or(static_cast<double>(run.line_number)), run.value, run.measures};
  run.last_step = std::max(run.last_step.value_or(input.step), input.step);
  if (scheduler_.on_report(run.job.trial, input) != scheduler::Decision::Stop) return !run.stop_requested;
  if (run.stop_requested) return false;
  run.stop_requested = true;  // before write(): a replay that ends there ends this run
  if (!write(events_.stop_decision(now(), run))) processes_.stop(run.job.trial);
  return false;
}

void Dispatcher::maybe_pause(ActiveRun& run, std::optional<double> step) {
  if (!run.pause_at || !step || *step < *run.pause_at || run.stop_requested || run.pausing) return;
  run.pausing = true;  // before write(): a replay that ends there neither relaunches nor ends it
  const auto trial = run.job.trial;
  write(events_.exit(now(), run, run.value, std::nullopt, "", /*paused=*/true), trial);
  processes_.keep(trial, run.job.budget, run.relaunched);
  apply_exit(trial, "", run.value);
}

void Dispatcher::on_exit(scheduler::TrialId trial, const runners::ExitStatus& status) {
  ActiveRun& run = *active_.at(trial);
  const RunFacts facts{run.stop_requested, !run.last_report.is_null(), run.attempts};
  const auto verdict = judge_run_end(status, facts, spec_.trial, spec_.metric.name, run.other_metrics);
  const double value = verdict.failed() ? kMissing : run.value;
  if (interrupted_) {  // no exit is recorded: the run was out when the campaign stopped
    apply_exit(trial, verdict.failure, value, /*interrupted=*/true);
    return;
  }
  if (verdict.failed() && may_retry(status, facts, spec_.trial)) {
    retry(run, verdict.failure);
    return;
  }
  if (run.stop_requested && !verdict.failed()) charge_trained(run);
  if (run.job.keep_checkpoint && !verdict.failed()) keep(run);  // before its end is recorded
  write(events_.exit(now(), run, value, status, verdict.failure, /*paused=*/false), trial);
  if (verdict.failed()) {
    warn(trial, run.run_number, fmt::format("trial {} run {}: {}", trial, run.run_number, verdict.failure));
    if (options_.on_run_failed) options_.on_run_failed({trial, run.run_number, verdict.failure, run.trial_dir});
    count_failure();  // before apply_exit: its pump() must launch nothing more if the campaign gives up
  }
  apply_exit(trial, verdict.failure, value);
}

// A campaign whose every trial fails (a wrong path, a missing module) stops after a few
// instead of failing them all: its runs out end as on Ctrl-C (a resume relaunches them) and
// it ends as failed, saying why.
void Dispatcher::count_failure() {
  const auto limit = spec_.trial.max_failures_before_success;
  if (succeeded_ || limit == 0 || ++failures_before_success_ < limit) return;
  failed_ = fmt::format("{} trials failed and none succeeded (trial.max_failures_before_success: {})",
                        failures_before_success_, limit);
  warn({}, {}, "stopping the campaign: " + *failed_);
  interrupted_ = true;
  processes_.stop_all();
}

// trial.retries: the failed run is launched again, resuming from its checkpoint.
void Dispatcher::retry(ActiveRun& run, const std::string& failure) {
  const auto trial = run.job.trial;
  write(events_.retry(now(), run, failure));
  warn(trial, run.run_number, fmt::format("trial {} run {}: {}; retrying ({} of {})", trial, run.run_number, failure,
                                          run.attempts, spec_.trial.retries));
  ++run.attempts;
  auto launch = prepare_launch(spec_, launched_job(spec_, run.job), run.trial_dir);
  launch.env["RUNGS_RELAUNCH"] = "1";  // whatever it checkpointed before it failed
  run.stdout_log << fmt::format("# run {} retried (attempt {})\n", run.run_number, run.attempts);
  submit(run, std::move(launch));
}

void Dispatcher::apply_exit(scheduler::TrialId trial, const std::string& failure, double value, bool interrupted) {
  auto node = active_.extract(trial);
  processes_.run_ended(trial);
  ActiveRun& run = *node.mapped();
  budget_done_ += run.charged;
  units_done_ += run.job.budget.units;
  auto& record = trials_.at(trial);
  const bool failed = !failure.empty();
  if (failed) record.last_failure = failure;
  if (!failed && !interrupted) succeeded_ = true;
  // A run stopped early never reached its budget: its last value is not the value there.
  if (std::isfinite(value) && !run.stop_requested) record.values[run.job.budget.level] = spec_.metric.from_minimized(value);
  if (!failed && !interrupted) check_constraints_reported(run);
  consider_best(run, value, failed);
  if (!interrupted) {
    scheduler_.on_run_end(trial, scheduler::RunEnd{value, failed, run.measures});
    sync_states(/*all=*/false);
  }
  pump();
}

// Writes a State event for each trial whose scheduler state changed (trial_book.hpp). The
// trial of a job a limit holds is not running: the scheduler counts it as launched, but no
// process runs it, and a campaign that ends there must not leave it "running" in the store.
void Dispatcher::sync_states(bool all) {
  for (const auto& [trial, state] : trials_.changed_states(scheduler_, all)) {
    if (held_ && held_->trial == trial && state == scheduler::TrialState::Running) continue;
    trials_.set_state(trial, state);
    write(events_.state(now(), trial, state), trial);
  }
}

void Dispatcher::consider_best(const ActiveRun& run, double value, bool failed) {
  const auto level = run.job.budget.level;
  const bool feasible = run.measures.feasible();
  if (incumbent_.offer({run.job.trial, level, value, run.stop_requested, failed, feasible}))
    best_ = BestResult{run.job.trial, level, spec_.metric.from_minimized(value), run.job.config, run.last_report};
  if (!failed && !run.stop_requested && feasible && !run.objectives.empty())
    front_candidates_.push_back(pareto_candidate(spec_, run.job.trial, level, run.objectives, run.job.config));
}

// A run that ended without its trial ever reporting a constrained metric is infeasible: the
// user is told which, once per trial (live; a replay does not warn again).
void Dispatcher::check_constraints_reported(ActiveRun& run) {
  if (spec_.objectives.constraints.empty()) return;
  auto& record = trials_.at(run.job.trial);
  run.measures = measures_of(spec_.objectives, record.constraint_values, run.objectives);
  run.constraint_values = record.constraint_values;
  if (record.constraint_warned || journal_.replaying()) return;
  for (std::size_t k = 0; k < spec_.objectives.constraints.size(); ++k) {
    if (!std::isnan(run.measures.constraints[k])) continue;
    record.constraint_warned = true;
    warn(run.job.trial, run.run_number,
         fmt::format("trial {} run {}: never reported '{}' (constraint {}): the trial counts as infeasible",
                     run.job.trial, run.run_number, spec_.objectives.constraints[k].metric,
                     spec_.objectives.constraints[k].text));
    return;
  }
}

bool Dispatcher::write(store::Event event, std::optional<scheduler::TrialId> trial) {
  if (!trial) return journal_.write(std::move(event));
  return journal_.write(std::move(event), [this, id = *trial] { return trials_.row(id, now()); });
}

// The campaign's end, as an event: `rungs status` and the report say "finished" (or "failed"
// and why) from it, whoever drove the loop (the CLI or a C++ program).
void Dispatcher::record_finish() {
  nlohmann::json best = nullptr;
  if (best_) best = {{"trial", best_->trial}, {"level", best_->level}, {"value", best_->value}};
  nlohmann::json data = {{"best", best}, {"runs", runs_launched_}};
  if (spec_.objectives.several()) data["front"] = pareto_json(spec_, pareto_result(front_candidates_));
  if (failed_) data["failed"] = *failed_;
  if (limit_reached_) data["limit"] = limit_note();
  journal_.append({now(), store::EventKind::Finish, {}, {}, std::move(data)});
}

void Dispatcher::warn(std::optional<scheduler::TrialId> trial, std::optional<std::int64_t> run,
                      const std::string& message) {
  store::Event event{now(), store::EventKind::Warning, {}, run, {{"message", message}}};
  if (trial) event.trial = static_cast<std::int64_t>(*trial);
  journal_.append(std::move(event));
  warnings_log_ << message << '\n';
  warnings_log_.flush();
}

}  // namespace rungs::campaign
