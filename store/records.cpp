#include "store/records.hpp"

namespace rungs::store {

namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// A flag as the views read it: json_extract gives SQLite integers for JSON booleans.
int bit(bool flag) { return flag ? 1 : 0; }

}  // namespace

void to_json(nlohmann::json& json, const TrialRow& row) {
  json = {{"trial", row.trial},
          {"bracket", row.bracket},
          {"params", row.params},
          {"state", row.state},
          {"level", row.level},
          {"budget", row.budget},
          {"last_value", or_null(row.last_value)},
          {"last_step", or_null(row.last_step)},
          {"values_by_level", row.values_by_level},
          {"failure", or_null(row.failure)},
          {"updated", row.updated}};
}

void to_json(nlohmann::json& json, const RunRecord& row) {
  json = {{"run", row.run},
          {"trial", row.trial},
          {"bracket", row.bracket},
          {"level", row.level},
          {"units", row.units},
          {"budget", row.budget},
          {"resumed", bit(row.resumed)},
          {"params", row.params},
          {"start", or_null(row.start)},
          {"cost", or_null(row.cost)},
          {"launched", row.launched},
          {"relaunches", row.relaunches}};
  const auto null = nlohmann::json();
  const auto* end = row.end ? &*row.end : nullptr;
  json["ended"] = end ? nlohmann::json(end->time) : null;
  json["value"] = end ? or_null(end->value) : null;
  json["stopped_by_scheduler"] = end ? nlohmann::json(bit(end->stopped_by_scheduler)) : null;
  json["paused"] = end ? nlohmann::json(bit(end->paused)) : null;
  json["exit_code"] = end ? or_null(end->exit_code) : null;
  json["signal"] = end ? or_null(end->signal) : null;
  json["timed_out"] = end ? nlohmann::json(bit(end->timed_out)) : null;
  json["stale"] = end ? nlohmann::json(bit(end->stale)) : null;
  json["failure"] = end ? or_null(end->failure) : null;
  json["attempts"] = end ? or_null(end->attempts) : null;
  json["seconds"] = end ? or_null(end->seconds) : null;
  json["feasible"] = end ? nlohmann::json(bit(end->feasible)) : null;
  // {name: value}: flat columns in a CSV (objectives.val_loss, ...).
  nlohmann::json objectives = null;
  if (end && end->objectives.is_array()) {
    objectives = nlohmann::json::object();
    for (const auto& o : end->objectives) objectives[o.value("name", "")] = o.value("value", null);
  }
  json["objectives"] = objectives;
}

void to_json(nlohmann::json& json, const ReportRecord& row) {
  json = {{"seq", row.seq},   {"time", row.time},   {"trial", row.trial},
          {"run", row.run},   {"level", row.level}, {"line", row.line},
          {"step", or_null(row.step)}, {"value", or_null(row.value)}, {"metrics", row.metrics}};
}

void to_json(nlohmann::json& json, const WarningRecord& row) {
  json = {{"seq", row.seq}, {"time", row.time}, {"trial", or_null(row.trial)}, {"run", or_null(row.run)},
          {"message", row.message}};
}

void to_json(nlohmann::json& json, const ParameterInfo& parameter) {
  json = {{"name", parameter.name}, {"type", parameter.type}, {"log", parameter.log}};
  if (parameter.low) json["low"] = *parameter.low;
  if (parameter.high) json["high"] = *parameter.high;
  if (parameter.type == "categorical") json["choices"] = parameter.choices;
  if (!parameter.when.empty()) json["when"] = parameter.when;
  if (!parameter.prior.is_null()) json["prior"] = parameter.prior;
}

void from_json(const nlohmann::json& json, ParameterInfo& parameter) {
  parameter.name = json.value("name", "");
  parameter.type = json.value("type", "");
  parameter.log = json.value("log", false);
  if (const auto low = json.find("low"); low != json.end() && low->is_number()) parameter.low = low->get<double>();
  if (const auto high = json.find("high"); high != json.end() && high->is_number()) parameter.high = high->get<double>();
  parameter.choices = json.value("choices", std::vector<std::string>{});
  parameter.when = json.value("when", nlohmann::json::object());
  parameter.prior = json.value("prior", nlohmann::json());
}

void to_json(nlohmann::json& json, const LadderInfo& ladder) {
  nlohmann::json levels = nlohmann::json::array();
  for (const auto& level : ladder.levels)
    levels.push_back({{"level", level.level}, {"units", level.units}, {"cost", level.cost}, {"budget", level.budget}});
  json = {{"eta", ladder.eta}, {"min_units", ladder.min_units}, {"max_units", ladder.max_units}, {"levels", levels}};
}

void from_json(const nlohmann::json& json, LadderInfo& ladder) {
  ladder.eta = json.value("eta", 3.0);
  ladder.min_units = json.value("min_units", 1.0);
  ladder.max_units = json.value("max_units", 1.0);
  ladder.levels.clear();
  for (const auto& level : json.value("levels", nlohmann::json::array()))
    ladder.levels.push_back({level.value("level", std::int64_t{0}), level.value("units", 0.0), level.value("cost", 0.0),
                             level.value("budget", nlohmann::json::object())});
}

}  // namespace rungs::store
