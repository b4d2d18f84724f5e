#include "report/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <set>
#include <tuple>

#include "report/read_transaction.hpp"
#include "scheduler/incumbent.hpp"

namespace rungs::report {

namespace {

std::optional<double> number(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

std::int64_t integer(const nlohmann::json& value) { return value.is_number() ? value.get<std::int64_t>() : 0; }

// A flag of an event's data; absent or null (an older writer) is false.
bool flag(const nlohmann::json& data, const char* key) {
  const auto found = data.find(key);
  return found != data.end() && found->is_boolean() && found->get<bool>();
}

std::optional<std::string> text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return std::nullopt;
}

TrialSummary trial_from(const nlohmann::json& row) {
  TrialSummary trial;
  trial.trial = integer(row.value("trial", nlohmann::json()));
  trial.bracket = integer(row.value("bracket", nlohmann::json()));
  trial.state = row.value("state", "");
  trial.level = integer(row.value("level", nlohmann::json()));
  trial.params = row.value("params", nlohmann::json::object());
  trial.budget = row.value("budget", nlohmann::json::object());
  trial.last_value = number(row.value("last_value", nlohmann::json()));
  trial.last_step = number(row.value("last_step", nlohmann::json()));
  const auto values = row.value("values_by_level", nlohmann::json::object());  // items() does not own it
  for (const auto& [level, value] : values.items())
    if (value.is_number()) trial.values_by_level[std::stoll(level)] = value.get<double>();
  trial.failure = text(row.value("failure", nlohmann::json()));
  trial.updated = number(row.value("updated", nlohmann::json())).value_or(0);
  return trial;
}

void add_report_stats(CampaignSnapshot& snapshot, const store::CampaignStore& store) {
  // The reports view extracts JSON per row; a GROUP BY over the events table is one pass.
  const auto rows = store.query(
      "SELECT trial, count(v) AS n, min(v) AS lo, max(v) AS hi FROM "
      "(SELECT trial, json_extract(data, '$.value') AS v FROM events WHERE kind = 'report') "
      "GROUP BY trial");
  std::map<std::int64_t, const nlohmann::json*> by_trial;
  for (const auto& row : rows) by_trial[integer(row["trial"])] = &row;
  for (auto& trial : snapshot.trials) {
    const auto found = by_trial.find(trial.trial);
    if (found == by_trial.end()) continue;
    const auto& row = *found->second;
    trial.reports = static_cast<std::size_t>(integer(row["n"]));
    trial.best_reported = number(snapshot.maximize ? row["hi"] : row["lo"]);
  }
}

void add_runs(CampaignSnapshot& snapshot, const store::CampaignStore& store) {
  // Straight from the events: the runs view joins launches to exits, which costs more than
  // these two passes on a 1,000-trial campaign.
  const auto rows = store.query(
      "SELECT kind, time, trial, run, data FROM events WHERE kind IN ('launch', 'exit') ORDER BY seq");
  std::map<std::int64_t, std::size_t> index;             // run -> position in snapshot.runs
  scheduler::Incumbent incumbent;
  for (const auto& row : rows) {
    const auto run_id = integer(row["run"]);
    const auto& data = row["data"];
    if (row["kind"] == "launch") {
      RunSummary run;
      run.run = run_id;
      run.trial = integer(row["trial"]);
      run.level = integer(data.value("level", nlohmann::json()));
      run.launched = number(row["time"]).value_or(0);
      const double units = number(data.value("units", nlohmann::json())).value_or(0);
      run.charged = number(data.value("cost", nlohmann::json())).value_or(units);  // what the loop charged
      auto& level = snapshot.levels[run.level];
      level.units = units;
      if (level.budget.empty()) level.budget = data.value("budget", nlohmann::json::object());
      index[run_id] = snapshot.runs.size();
      snapshot.runs.push_back(run);
    } else if (const auto found = index.find(run_id); found != index.end()) {
      auto& run = snapshot.runs[found->second];
      run.ended = number(row["time"]);
      run.value = number(data.value("value", nlohmann::json()));
      run.stopped_by_scheduler = flag(data, "stopped_by_scheduler");
      run.failed = !data.value("failure", nlohmann::json()).is_null();
      // The campaign loop's rule, offered the run ends in the order they happened.
      const double value = run.value.value_or(std::numeric_limits<double>::quiet_NaN());
      incumbent.offer({static_cast<scheduler::TrialId>(run.trial), static_cast<std::size_t>(run.level),
                       snapshot.maximize ? -value : value, run.stopped_by_scheduler, run.failed});
    }
  }
  std::sort(snapshot.runs.begin(), snapshot.runs.end(),
            [](const RunSummary& a, const RunSummary& b) { return a.run < b.run; });
  for (const auto& run : snapshot.runs) {
    snapshot.budget_spent += run.charged;
    if (!run.ended) ++snapshot.runs_out;
  }
  if (const auto& best = incumbent.best()) {
    const auto level = static_cast<std::int64_t>(best->level);
    snapshot.best = BestSoFar{static_cast<std::int64_t>(best->trial), level,
                              snapshot.maximize ? -best->value : best->value, nlohmann::json::object(),
                              nlohmann::json::object()};
    if (const auto info = snapshot.levels.find(level); info != snapshot.levels.end())
      snapshot.best->budget = info->second.budget;
  }
}

void add_rungs(CampaignSnapshot& snapshot) {
  // Per bracket, the levels from its lowest to its highest so far (a rung nobody sits at
  // still shows how many passed it).
  std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> span;
  for (const auto& trial : snapshot.trials) {
    auto [it, fresh] = span.try_emplace(trial.bracket, trial.level, trial.level);
    if (!fresh) {
      it->second.first = std::min(it->second.first, trial.level);
      it->second.second = std::max(it->second.second, trial.level);
    }
  }
  std::map<std::pair<std::int64_t, std::int64_t>, RungCount> rungs;
  for (const auto& [bracket, levels] : span)
    for (auto level = levels.first; level <= levels.second; ++level) {
      auto& rung = rungs[{bracket, level}];
      rung.bracket = bracket;
      rung.level = level;
      if (const auto info = snapshot.levels.find(level); info != snapshot.levels.end()) rung.budget = info->second.budget;
    }
  for (const auto& trial : snapshot.trials) {
    ++rungs[{trial.bracket, trial.level}].states[trial.state];
    for (auto level = span[trial.bracket].first; level <= trial.level; ++level) ++rungs[{trial.bracket, level}].reached;
  }
  for (auto& [key, rung] : rungs) snapshot.rungs.push_back(std::move(rung));
}

void add_best_params(CampaignSnapshot& snapshot) {
  if (!snapshot.best) return;
  for (const auto& trial : snapshot.trials)
    if (trial.trial == snapshot.best->trial) snapshot.best->params = trial.params;
}

void add_curves(CampaignSnapshot& snapshot, const store::CampaignStore& store) {
  const auto rows = store.query(
      "SELECT trial, json_extract(data, '$.step') AS step, json_extract(data, '$.line') AS line, "
      "json_extract(data, '$.level') AS level, json_extract(data, '$.value') AS value "
      "FROM events WHERE kind = 'report' AND json_extract(data, '$.value') IS NOT NULL ORDER BY trial, seq");
  for (const auto& row : rows) {
    const auto trial = integer(row["trial"]);
    const auto value = number(row["value"]);
    if (!value) continue;  // a string where a number belongs: nothing to draw
    if (snapshot.curves.empty() || snapshot.curves.back().trial != trial) snapshot.curves.push_back(Curve{trial, {}, {}, {}});
    auto& curve = snapshot.curves.back();
    curve.steps.push_back(number(row["step"]).value_or(number(row["line"]).value_or(0)));
    curve.values.push_back(*value);
    curve.levels.push_back(integer(row["level"]));
  }
}

}  // namespace

std::optional<std::pair<std::int64_t, double>> TrialSummary::final_value() const {
  if (values_by_level.empty()) return std::nullopt;
  const auto& [level, value] = *values_by_level.rbegin();
  return std::pair{level, value};
}

std::optional<campaign::CampaignSpec> recorded_spec(const store::CampaignInfo& info) {
  if (info.campaign_yaml.empty()) return std::nullopt;
  try {
    const std::filesystem::path file = info.campaign_file;
    return campaign::parse_campaign(info.campaign_yaml, file.filename().string(), file.parent_path());
  } catch (const std::exception&) {
    return std::nullopt;  // a newer or older rungs wrote it: show what the tables say
  }
}

CampaignSnapshot load_snapshot(const store::CampaignStore& store, const SnapshotOptions& options) {
  CampaignSnapshot snapshot;
  snapshot.info = store.info();
  snapshot.maximize = snapshot.info.direction == "max";

  snapshot.spec = recorded_spec(snapshot.info);

  ReadTransaction transaction(store);
  for (const auto& row : store.trials()) snapshot.trials.push_back(trial_from(row));
  for (const auto& trial : snapshot.trials) ++snapshot.states[trial.state];
  for (const auto& row : store.query("SELECT kind, count(*) AS n, max(time) AS t FROM events GROUP BY kind")) {
    const auto count = static_cast<std::size_t>(integer(row["n"]));
    if (row["kind"] == "report") snapshot.reports = count;
    if (row["kind"] == "warning") snapshot.warnings = count;
    if (row["kind"] == "finish") snapshot.finished = true;
    snapshot.elapsed = std::max(snapshot.elapsed, number(row["t"]).value_or(0));
  }
  add_report_stats(snapshot, store);
  add_runs(snapshot, store);
  add_rungs(snapshot);
  add_best_params(snapshot);
  if (options.curves) add_curves(snapshot, store);
  return snapshot;
}

std::vector<std::size_t> rank_trials(const CampaignSnapshot& snapshot) {
  std::vector<std::size_t> order(snapshot.trials.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // A sort key per trial: (group, -level, signed value, id); group 0 = has a final value,
  // 1 = only a last reported value, 2 = nothing yet.
  const double sign = snapshot.maximize ? -1.0 : 1.0;
  auto key = [&](const TrialSummary& trial) {
    if (const auto final = trial.final_value()) return std::tuple{0, -final->first, sign * final->second, trial.trial};
    if (trial.last_value) return std::tuple{1, std::int64_t{0}, sign * *trial.last_value, trial.trial};
    return std::tuple{2, std::int64_t{0}, 0.0, trial.trial};
  };
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return key(snapshot.trials[a]) < key(snapshot.trials[b]); });
  return order;
}

std::string describe_value(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return fmt::format("{:.6g}", value.get<double>());
  if (value.is_null()) return "-";
  return value.dump();
}

std::string describe_budget(const nlohmann::json& budget) {
  std::string out;
  if (!budget.is_object()) return describe_value(budget);
  for (const auto& [name, value] : budget.items()) {
    if (!out.empty()) out += ", ";
    out += name + "=" + describe_value(value);
  }
  return out;
}

}  // namespace rungs::report
