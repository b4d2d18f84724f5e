#include "report/report_data.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <queue>
#include <set>

#include "report/importance.hpp"
#include "report/status.hpp"
#include "report/warm_start_summary.hpp"
#include "text/safe_text.hpp"

namespace rungs::report {

namespace {

// Six significant digits: plots cannot show more, and the file gets a third smaller.
double round6(double value) {
  if (!std::isfinite(value) || value == 0) return value;
  return std::stod(fmt::format("{:.6g}", value));
}

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// The space the campaign recorded when it was created (store/records.hpp).
nlohmann::json parameters_from_space(const std::vector<store::ParameterInfo>& space) {
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& parameter : space) {
    nlohmann::json entry = {{"name", parameter.name}, {"type", parameter.type}, {"log", parameter.log}};
    if (parameter.type == "categorical") entry["choices"] = parameter.choices;
    // The space's bounds: the axes of the parallel coordinates span them.
    if (parameter.low) entry["low"] = *parameter.low;
    if (parameter.high) entry["high"] = *parameter.high;
    // The prior's centre (issue 14), marked on the parameter's scatter plot.
    if (parameter.prior.is_object() && parameter.prior.contains("center")) entry["prior_center"] = parameter.prior["center"];
    parameters.push_back(std::move(entry));
  }
  return parameters;
}

// Without a recorded space (a store of schema 1): a parameter with any text value is categorical, one whose
// positive values span two decades or more is shown on a log scale.
nlohmann::json parameters_from_values(const CampaignSnapshot& snapshot) {
  std::map<std::string, std::vector<const nlohmann::json*>> values;
  for (const auto& trial : snapshot.trials)
    for (const auto& [name, value] : trial.params.items()) values[name].push_back(&value);
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& [name, list] : values) {
    const bool text = std::any_of(list.begin(), list.end(), [](const nlohmann::json* v) { return !v->is_number(); });
    if (text) {
      std::set<std::string> choices;
      for (const auto* value : list) choices.insert(value->is_string() ? value->get<std::string>() : value->dump());
      parameters.push_back({{"name", name}, {"type", "categorical"}, {"log", false}, {"choices", choices}});
      continue;
    }
    double low = INFINITY, high = -INFINITY;
    for (const auto* value : list) low = std::min(low, value->get<double>()), high = std::max(high, value->get<double>());
    parameters.push_back({{"name", name}, {"type", "float"}, {"log", low > 0 && high / low >= 100}});
  }
  return parameters;
}

// Runs that reached their budget (neither stopped early nor failed), in the order they
// ended, each with the budget handed out until it ended (null from the first launch whose
// cost is unknown on).
nlohmann::json run_ends(const CampaignSnapshot& snapshot) {
  std::vector<const RunSummary*> launched;
  for (const auto& run : snapshot.runs) launched.push_back(&run);
  std::stable_sort(launched.begin(), launched.end(),
                   [](const RunSummary* a, const RunSummary* b) { return a->launched < b->launched; });
  std::vector<std::optional<double>> spent_after;  // budget spent once the first i+1 runs were launched
  std::optional<double> total = 0.0;
  for (const auto* run : launched) {
    if (total && run->charged) *total += *run->charged;
    else total.reset();
    spent_after.push_back(total);
  }

  std::vector<const RunSummary*> ended;
  for (const auto& run : snapshot.runs)
    if (run.ended && run.value && !run.stopped_by_scheduler && !run.failed && run.feasible) ended.push_back(&run);
  std::stable_sort(ended.begin(), ended.end(), [](const RunSummary* a, const RunSummary* b) { return *a->ended < *b->ended; });

  nlohmann::json ends = nlohmann::json::array();
  for (const auto* run : ended) {
    const auto count = std::upper_bound(launched.begin(), launched.end(), *run->ended,
                                        [](double time, const RunSummary* r) { return time < r->launched; }) -
                       launched.begin();
    const auto spent = count > 0 ? spent_after[static_cast<std::size_t>(count - 1)] : std::optional<double>(0.0);
    ends.push_back({{"spent", optional_number(spent ? std::optional(round6(*spent)) : std::nullopt)}, {"time", round6(*run->ended)}, {"trial", run->trial},
                    {"level", run->level}, {"value", *run->value}});
  }
  return ends;
}

const char* end_kind(const RunSummary& run) {
  if (!run.ended) return "running";
  if (run.failed) return "failed";
  if (run.paused) return "paused";
  if (run.stopped_by_scheduler) return "stopped";
  return "completed";
}

nlohmann::json runs_table(const CampaignSnapshot& snapshot) {
  std::vector<std::pair<double, double>> intervals;
  for (const auto& run : snapshot.runs)
    intervals.emplace_back(run.launched, std::max(run.launched, run.ended.value_or(snapshot.elapsed)));
  const auto lanes = pack_lanes(intervals);
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t i = 0; i < snapshot.runs.size(); ++i) {
    const auto& run = snapshot.runs[i];
    rows.push_back({run.run, run.trial, run.level, round6(run.launched),
                    run.ended ? nlohmann::json(round6(*run.ended)) : nlohmann::json(), lanes[i], end_kind(run),
                    run.value ? nlohmann::json(round6(*run.value)) : nlohmann::json()});
  }
  return {{"columns", {"run", "trial", "level", "launched", "ended", "lane", "end", "value"}}, {"rows", std::move(rows)}};
}

nlohmann::json failures_table(const CampaignSnapshot& snapshot, std::size_t max_rows) {
  nlohmann::json rows = nlohmann::json::array();
  std::size_t count = 0;
  for (const auto& run : snapshot.runs) {
    if (!run.failed) continue;
    if (++count > max_rows) continue;
    const auto file = snapshot.directory / "trials" / fmt::format("{:04d}", run.trial) / "stderr.log";
    const auto tail = stderr_tail(file);
    rows.push_back({{"run", run.run},
                    {"trial", run.trial},
                    {"level", run.level},
                    {"time", round6(run.ended.value_or(0))},
                    {"how", describe_run_end(run)},
                    {"stderr", tail},
                    {"stderr_file", tail.empty() ? nlohmann::json() : nlohmann::json(file.string())}});
  }
  return {{"count", count}, {"rows", std::move(rows)}};
}

// Population-based training's lineage chart: each trial's span of budget (units) on its
// member's row (the member is the trial's bracket), and each copy of a checkpoint from the
// donor's member to the member. Null without inheritances (the section is hidden).
nlohmann::json lineage_data(const CampaignSnapshot& snapshot) {
  if (snapshot.inheritances.empty()) return nullptr;
  std::map<std::int64_t, std::int64_t> member_of;
  for (const auto& trial : snapshot.trials) member_of[trial.trial] = trial.bracket;
  std::map<std::int64_t, double> start, end;
  for (const auto& i : snapshot.inheritances) start[i.trial] = i.units;
  for (const auto& run : snapshot.runs) {
    const auto level = snapshot.levels.find(run.level);
    if (level != snapshot.levels.end()) end[run.trial] = std::max(end[run.trial], level->second.units);
  }
  nlohmann::json trials = nlohmann::json::array(), copies = nlohmann::json::array();
  for (const auto& trial : snapshot.trials) {
    const auto to = end.find(trial.trial);
    if (to == end.end()) continue;
    const auto from = start.find(trial.trial);
    trials.push_back({{"trial", trial.trial}, {"member", trial.bracket}, {"from", from == start.end() ? 0.0 : from->second},
                      {"to", to->second}, {"state", trial.state}});
  }
  for (const auto& i : snapshot.inheritances)
    copies.push_back({{"trial", i.trial}, {"from", i.from}, {"member", i.member}, {"from_member", member_of[i.from]},
                      {"units", i.units}, {"time", round6(i.time)}});
  return {{"trials", std::move(trials)}, {"copies", std::move(copies)}};
}

nlohmann::json importance_by_level(const CampaignSnapshot& snapshot, const nlohmann::json& parameters) {
  std::vector<ImportanceParameter> names;
  for (const auto& parameter : parameters)
    names.push_back({parameter["name"].get<std::string>(), parameter["type"] == "categorical"});
  std::map<std::int64_t, std::vector<ImportanceSample>> by_level;
  for (const auto& trial : snapshot.trials)
    for (const auto& [level, value] : trial.values_by_level) by_level[level].push_back({&trial.params, value});
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [level, samples] : by_level) {
    const auto scores = parameter_importance(names, samples);
    if (scores.empty()) continue;
    nlohmann::json rounded = nlohmann::json::array();
    for (const double score : scores) rounded.push_back(std::round(score * 1e4) / 1e4);
    out.push_back({{"level", level}, {"trials", samples.size()}, {"scores", std::move(rounded)}});
  }
  return out;
}

}  // namespace

std::vector<std::size_t> pack_lanes(const std::vector<std::pair<double, double>>& intervals) {
  std::vector<std::size_t> order(intervals.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return intervals[a].first < intervals[b].first; });
  using Busy = std::pair<double, std::size_t>;  // (end, lane)
  std::priority_queue<Busy, std::vector<Busy>, std::greater<>> busy;
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> free;
  std::size_t lanes = 0;
  std::vector<std::size_t> lane(intervals.size());
  for (const auto i : order) {
    while (!busy.empty() && busy.top().first <= intervals[i].first) {
      free.push(busy.top().second);
      busy.pop();
    }
    if (free.empty()) free.push(lanes++);
    lane[i] = free.top();
    free.pop();
    busy.emplace(intervals[i].second, lane[i]);
  }
  return lane;
}

std::string describe_run_end(const RunSummary& run) {
  std::string how;
  if (run.timed_out) how = run.signal ? fmt::format("timed out (signal {})", *run.signal) : "timed out";
  else if (run.signal) how = fmt::format("killed by signal {}", *run.signal);
  else if (run.exit_code) how = fmt::format("exit code {}", *run.exit_code);
  if (run.failure && how.empty()) return *run.failure;
  if (run.failure && run.failure->find(how) == std::string::npos) how += ": " + *run.failure;
  return how.empty() ? "failed" : how;
}

std::vector<std::string> stderr_tail(const std::filesystem::path& file, std::size_t count) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return {};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::streamoff>(in.tellg());
  const std::streamoff start = std::max<std::streamoff>(0, size - 16 * 1024);
  in.seekg(start);
  std::string text(static_cast<std::size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  std::vector<std::string> lines;
  std::size_t end = text.size();
  while (lines.size() < count && end > 0) {
    const auto newline = text.rfind('\n', end - 1);
    const std::size_t begin = newline == std::string::npos ? 0 : newline + 1;
    auto line = text.substr(begin, end - begin);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty() && !(begin == 0 && start > 0)) lines.push_back(text::safe_text(line.substr(0, 300)));
    if (newline == std::string::npos) break;
    end = newline;
  }
  std::reverse(lines.begin(), lines.end());
  return lines;
}

nlohmann::json report_data(const CampaignSnapshot& snapshot, const ReportDataOptions& options) {
  const auto& info = snapshot.info;
  nlohmann::json states = nlohmann::json::object();
  for (const auto& [state, count] : snapshot.states) states[state] = count;
  nlohmann::json data = {
      {"campaign",
       {{"name", info.name},
        {"mode", info.mode},
        {"metric", info.metric},
        {"direction", info.direction},
        {"created_at", info.created_at},
        {"elapsed", snapshot.elapsed},
        {"elapsed_text", format_duration(snapshot.elapsed)},
        {"finished", snapshot.finished},
        {"failed", snapshot.failed ? nlohmann::json(*snapshot.failed) : nlohmann::json()},
        {"budget_spent", optional_number(snapshot.budget_spent ? std::optional(round6(*snapshot.budget_spent)) : std::nullopt)},
        {"trials", snapshot.trials.size()},
        {"runs", snapshot.runs.size()},
        {"runs_out", snapshot.runs_out},
        {"reports", snapshot.reports},
        {"warnings", snapshot.warnings},
        {"states", states},
        {"warm_start", warm_start_summary(info)},
        {"refresh", options.refresh_seconds ? nlohmann::json(*options.refresh_seconds) : nlohmann::json()}}}};

  data["best"] = nullptr;
  if (snapshot.best) {
    const auto& best = *snapshot.best;
    data["best"] = {{"trial", best.trial}, {"level", best.level}, {"value", best.value},
                    {"params", best.params}, {"budget", best.budget}};
  }

  data["levels"] = nlohmann::json::array();
  for (const auto& [level, level_info] : snapshot.levels)
    data["levels"].push_back({{"level", level}, {"units", level_info.units}, {"budget", level_info.budget}});

  data["parameters"] =
      snapshot.info.space.empty() ? parameters_from_values(snapshot) : parameters_from_space(snapshot.info.space);

  // A trial whose latest ended run broke a constraint is never shown as a best trial.
  std::map<std::int64_t, bool> feasible;
  for (const auto& run : snapshot.runs)
    if (run.ended && !run.failed) feasible[run.trial] = run.feasible;
  data["trials"] = nlohmann::json::array();
  for (const auto& trial : snapshot.trials) {
    const auto final = trial.final_value();
    data["trials"].push_back({{"trial", trial.trial},
                              {"bracket", trial.bracket},
                              {"state", trial.state},
                              {"level", trial.level},
                              {"params", trial.params},
                              {"final", final ? nlohmann::json::array({final->first, final->second}) : nlohmann::json()},
                              {"last", optional_number(trial.last_value)},
                              {"feasible", !feasible.count(trial.trial) || feasible.at(trial.trial)},
                              {"failure", trial.failure ? nlohmann::json(*trial.failure) : nlohmann::json()}});
  }

  std::map<std::int64_t, const std::string*> state_of;
  for (const auto& trial : snapshot.trials) state_of[trial.trial] = &trial.state;
  data["curves"] = nlohmann::json::array();
  for (const auto& curve : snapshot.curves) {
    nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array(), levels = nlohmann::json::array();
    for (std::size_t i = 0; i < curve.steps.size(); ++i) {
      x.push_back(round6(curve.steps[i]));
      y.push_back(round6(curve.values[i]));
      levels.push_back(curve.levels[i]);
    }
    const auto state = state_of.find(curve.trial);
    data["curves"].push_back({{"trial", curve.trial},
                              {"state", state == state_of.end() ? std::string("running") : *state->second},
                              {"x", std::move(x)},
                              {"y", std::move(y)},
                              {"levels", std::move(levels)}});
  }

  // Several objectives: every trial's latest ended feasible run (its objectives) and the front
  // (snapshot.hpp), for the front's scatter.
  data["objectives"] = nlohmann::json::array();
  for (const auto& o : snapshot.objectives) data["objectives"].push_back({{"name", o.name}, {"maximize", o.maximize}});
  data["front"] = nlohmann::json::array();
  for (const auto& p : snapshot.front) data["front"].push_back({{"trial", p.trial}, {"level", p.level}, {"values", p.values}});
  std::map<std::int64_t, const RunSummary*> latest;
  for (const auto& run : snapshot.runs)
    if (run.ended && !run.failed && run.feasible && run.objectives.size() >= 2 &&
        std::isfinite(run.objectives[0]) && std::isfinite(run.objectives[1]))
      latest[run.trial] = &run;
  data["objective_points"] = nlohmann::json::array();
  for (const auto& [trial, run] : latest)
    data["objective_points"].push_back({{"trial", trial}, {"level", run->level}, {"values", run->objectives}});
  data["ends"] = run_ends(snapshot);
  data["runs"] = runs_table(snapshot);
  data["failures"] = failures_table(snapshot, options.max_failures);
  data["importance"] = importance_by_level(snapshot, data["parameters"]);

  data["lineage"] = lineage_data(snapshot);

  data["rungs"] = nlohmann::json::array();
  for (const auto& rung : snapshot.rungs) {
    nlohmann::json rung_states = nlohmann::json::object();
    for (const auto& [state, count] : rung.states) rung_states[state] = count;
    data["rungs"].push_back({{"bracket", rung.bracket}, {"level", rung.level}, {"reached", rung.reached},
                             {"states", rung_states}});
  }
  return data;
}

}  // namespace rungs::report
