#include "campaign/run_events.hpp"

#include <cmath>

#include "campaign/trial_launch.hpp"
#include "fidelity/run_cost.hpp"

namespace rungs::campaign {

namespace {

store::Event run_event(double now, store::EventKind kind, const ActiveRun& run, nlohmann::json data) {
  return {now, kind, static_cast<std::int64_t>(run.job.trial), run.run_number, std::move(data)};
}

}  // namespace

nlohmann::json RunEvents::value_json(double minimized) const {
  return std::isfinite(minimized) ? nlohmann::json(spec_.metric.from_minimized(minimized)) : nlohmann::json();
}

store::Event RunEvents::launch(double now, const ActiveRun& run) const {
  const auto& job = run.job;
  const auto start = fidelity::run_start(spec_.ladder, job.budget, job.resume_from);
  return run_event(now, store::EventKind::Launch, run,
                   {{"bracket", job.bracket},
                    {"level", job.budget.level},
                    {"units", job.budget.units},
                    {"budget", to_json(spec_.ladder, job.budget)},
                    {"params", to_json(job.config)},
                    {"resumed", job.resume_from.has_value()},
                    {"start", fidelity::to_string(start)},
                    {"cost", fidelity::run_cost(spec_.ladder, job.budget, job.resume_from)}});
}

store::Event RunEvents::report(double now, const ActiveRun& run, nlohmann::json step, nlohmann::json metrics,
                        bool has_metric) const {
  return run_event(now, store::EventKind::Report, run,
                   {{"level", run.job.budget.level},
                    {"line", run.line_number},
                    {"step", std::move(step)},
                    {"value", has_metric ? value_json(run.value) : nlohmann::json()},
                    {"metrics", std::move(metrics)}});
}

store::Event RunEvents::stop_decision(double now, const ActiveRun& run) const {
  return run_event(now, store::EventKind::Decision, run, {{"decision", "stop"}, {"value", value_json(run.value)}});
}

store::Event RunEvents::exit(double now, const ActiveRun& run, double value, const std::optional<runners::ExitStatus>& status,
                      const std::string& failure, bool paused) const {
  using Kind = runners::ExitStatus::Kind;
  const auto null = nlohmann::json();
  auto event = run_event(now, store::EventKind::Exit, run,
                   {{"value", failure.empty() ? value_json(value) : null},
                    {"stopped_by_scheduler", run.stop_requested},
                    {"paused", paused},
                    {"exit_code", status && status->kind == Kind::Exited ? nlohmann::json(status->code) : null},
                    {"signal", status && status->kind == Kind::Signaled ? nlohmann::json(status->signal) : null},
                    {"timed_out", status && status->timed_out},
                    {"stale", status && status->stale},
                    {"failure", failure.empty() ? null : nlohmann::json(failure)},
                    {"attempts", run.attempts},
                    {"seconds", now - run.started}});
  // Charged more than at its launch (retrain_check.hpp): the `runs` view's cost reads this.
  // Or less, stopped early: charged what it trained (fidelity::trained_cost).
  if (run.retrained || run.charged_trained) event.data["cost"] = run.charged;
  // Constraints: whether every one held (the incumbent and the front take feasible runs only);
  // several objectives: each one's last reported value.
  // Self-describing (name, mode, threshold), so that `rungs status` and the report need not
  // read the YAML again.
  const auto number = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  const auto& constraints = spec_.objectives.constraints;
  if (!constraints.empty()) {
    event.data["feasible"] = failure.empty() && run.measures.feasible();
    auto& list = event.data["constraints"] = nlohmann::json::array();
    for (std::size_t k = 0; k < constraints.size(); ++k)
      list.push_back({{"constraint", constraints[k].text},
                      {"metric", constraints[k].metric},
                      {"value", k < run.constraint_values.size() ? number(run.constraint_values[k]) : null},
                      {"holds", k < run.measures.constraints.size() && run.measures.constraints[k] <= 0}});
  }
  if (spec_.objectives.several() && !run.objectives.empty()) {
    auto& list = event.data["objectives"] = nlohmann::json::array();
    for (std::size_t i = 0; i < run.objectives.size(); ++i) {
      const auto& metric = spec_.objectives.metrics[i];
      list.push_back({{"name", metric.name},
                      {"mode", metric.maximize ? "max" : "min"},
                      {"value", number(metric.from_minimized(run.objectives[i]))}});
    }
  }
  return event;
}

store::Event RunEvents::retry(double now, const ActiveRun& run, const std::string& failure) const {
  return run_event(now, store::EventKind::Retry, run, {{"failure", failure}, {"attempt", run.attempts}});
}

store::Event RunEvents::state(double now, scheduler::TrialId trial, scheduler::TrialState state) const {
  return {now, store::EventKind::State, static_cast<std::int64_t>(trial), {}, {{"state", scheduler::to_string(state)}}};
}

store::Event RunEvents::resume(double now, std::size_t events, std::size_t relaunched, std::size_t ended) const {
  return {now, store::EventKind::Resume, {}, {}, {{"events", events}, {"relaunched", relaunched}, {"ended", ended}}};
}

store::Event RunEvents::relaunch(double now, const ActiveRun& run, double already_ran) const {
  return run_event(now, store::EventKind::Relaunch, run, {{"already_ran", already_ran}});
}

}  // namespace rungs::campaign
