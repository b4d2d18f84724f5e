#include "report/status_json.hpp"

#include <cmath>

namespace rungs::report {

namespace {

nlohmann::json number(std::optional<double> value) {
  return value && std::isfinite(*value) ? nlohmann::json(*value) : nlohmann::json();
}

nlohmann::json trial_json(const TrialSummary& trial, std::size_t rank) {
  const auto final = trial.final_value();
  nlohmann::json values = nlohmann::json::object();
  for (const auto& [level, value] : trial.values_by_level) values[std::to_string(level)] = number(value);
  return {{"rank", rank},
          {"trial", trial.trial},
          {"state", trial.state},
          {"bracket", trial.bracket},
          {"level", trial.level},
          {"budget", trial.budget},
          {"params", trial.params},
          {"last_step", number(trial.last_step)},
          {"last_value", number(trial.last_value)},
          {"best_value", number(trial.best_reported)},
          {"final_value", final ? number(final->second) : nlohmann::json()},
          {"final_level", final ? nlohmann::json(final->first) : nlohmann::json()},
          {"values_by_level", values},
          {"failure", trial.failure ? nlohmann::json(*trial.failure) : nlohmann::json()}};
}

}  // namespace

nlohmann::json status_json(const CampaignSnapshot& s, const StatusOptions& options) {
  nlohmann::json states = nlohmann::json::object();
  for (const auto* state : {"running", "waiting", "stopped", "completed", "failed"}) states[state] = 0;
  for (const auto& [state, count] : s.states) states[state] = count;

  nlohmann::json best;
  if (s.best)
    best = {{"trial", s.best->trial}, {"level", s.best->level}, {"value", s.best->value},
            {"params", s.best->params}, {"budget", s.best->budget}};

  nlohmann::json rungs = nlohmann::json::array();
  for (const auto& rung : s.rungs)
    rungs.push_back({{"bracket", rung.bracket}, {"level", rung.level}, {"budget", rung.budget},
                     {"reached", rung.reached}, {"states", rung.states}});

  nlohmann::json trials = nlohmann::json::array();
  const auto order = rank_trials(s);
  for (std::size_t position = 0; position < order.size(); ++position) {
    const auto& trial = s.trials[order[position]];
    if (options.all || position < options.top || trial.state == "running") trials.push_back(trial_json(trial, position + 1));
  }

  nlohmann::json objectives = nlohmann::json::array(), front = nlohmann::json::array(),
                 constraints = nlohmann::json::array();
  for (const auto& o : s.objectives) objectives.push_back({{"name", o.name}, {"mode", o.maximize ? "max" : "min"}});
  for (const auto& p : s.front) front.push_back({{"trial", p.trial}, {"level", p.level}, {"values", p.values}});
  for (const auto& c : s.constraints)
    constraints.push_back({{"constraint", c.text}, {"metric", c.metric}, {"reported", c.reported},
                           {"infeasible_runs", c.infeasible}});

  return {{"campaign", s.info.name},
          {"directory", s.directory.string()},
          {"mode", s.info.mode},
          {"metric", s.info.metric},
          {"direction", s.info.direction},
          {"state", campaign_state(s, options)},
          {"failure", s.failed ? nlohmann::json(*s.failed) : nlohmann::json()},
          {"elapsed", s.elapsed},
          {"trial_count", s.trials.size()},
          {"states", states},
          {"runs", s.runs.size()},
          {"runs_out", s.runs_out},
          {"reports", s.reports},
          {"warnings", s.warnings},
          {"budget_spent", number(s.budget_spent)},
          {"best", best},
          {"objectives", objectives},
          {"front", front},
          {"constraints", constraints},
          {"rungs", rungs},
          {"trials", trials}};
}

}  // namespace rungs::report
