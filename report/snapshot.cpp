#include "report/snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <set>
#include <tuple>

#include "scheduler/incumbent.hpp"

namespace rungs::report {

namespace {

TrialSummary trial_from(const store::TrialRow& row) {
  TrialSummary trial;
  trial.trial = row.trial;
  trial.bracket = row.bracket;
  trial.state = row.state;
  trial.level = row.level;
  trial.params = row.params;
  trial.budget = row.budget;
  trial.last_value = row.last_value;
  trial.last_step = row.last_step;
  for (const auto& [level, value] : row.values_by_level.items())
    if (value.is_number()) trial.values_by_level[std::stoll(level)] = value.get<double>();
  trial.failure = row.failure;
  trial.updated = row.updated;
  return trial;
}

void add_report_stats(CampaignSnapshot& snapshot, const store::CampaignStore& store) {
  const auto totals = store.metric_totals();
  for (auto& trial : snapshot.trials) {
    const auto found = totals.find(trial.trial);
    if (found == totals.end()) continue;
    trial.reports = found->second.count;
    trial.best_reported = snapshot.maximize ? found->second.max : found->second.min;
  }
}

void add_runs(CampaignSnapshot& snapshot, const store::CampaignStore& store) {
  std::vector<std::pair<std::int64_t, std::size_t>> ends;  // (exit seq, position in snapshot.runs)
  const auto records = store.runs();
  for (const auto& record : records) {
    RunSummary run;
    run.run = record.run;
    run.trial = record.trial;
    run.level = record.level;
    run.launched = record.launched;
    run.charged = record.cost;  // what the loop charged, or unknown
    auto& level = snapshot.levels[run.level];
    level.units = record.units;
    if (level.budget.empty()) level.budget = record.budget;
    if (record.end) {
      run.ended = record.end->time;
      run.value = record.end->value;
      run.stopped_by_scheduler = record.end->stopped_by_scheduler;
      run.failed = record.end->failure.has_value();
      run.paused = record.end->paused;
      run.timed_out = record.end->timed_out;
      run.exit_code = record.end->exit_code;
      run.signal = record.end->signal;
      run.failure = record.end->failure;
      run.feasible = record.end->feasible;
      if (record.end->objectives.is_array())
        for (const auto& o : record.end->objectives)
          run.objectives.push_back(o.value("value", nlohmann::json()).is_number() ? o["value"].get<double>()
                                                                                  : std::numeric_limits<double>::quiet_NaN());
      ends.emplace_back(record.end->seq, snapshot.runs.size());
    }
    snapshot.runs.push_back(run);
  }
  // The campaign loop's rule, offered the run ends in the order they happened.
  std::sort(ends.begin(), ends.end());
  scheduler::Incumbent incumbent;
  for (const auto& [seq, position] : ends) {
    const auto& run = snapshot.runs[position];
    const double value = run.value.value_or(std::numeric_limits<double>::quiet_NaN());
    incumbent.offer({static_cast<scheduler::TrialId>(run.trial), static_cast<std::size_t>(run.level),
                     snapshot.maximize ? -value : value, run.stopped_by_scheduler, run.failed, run.feasible});
  }
  add_objectives(snapshot, records);
  std::optional<double> spent = 0.0;
  for (const auto& run : snapshot.runs) {
    if (spent && run.charged) *spent += *run.charged;
    else spent.reset();
    if (!run.ended) ++snapshot.runs_out;
  }
  snapshot.budget_spent = spent;
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
  for (const auto& stored : store.curves()) {
    Curve curve{stored.trial, {}, {}, {}};
    for (const auto& point : stored.points) {
      // The report's step, or its stdout line number without one.
      curve.steps.push_back(static_cast<double>(point.step.value_or(point.line)));
      curve.values.push_back(point.value);
      curve.levels.push_back(point.level);
    }
    snapshot.curves.push_back(std::move(curve));
  }
}

}  // namespace

std::optional<std::pair<std::int64_t, double>> TrialSummary::final_value() const {
  if (values_by_level.empty()) return std::nullopt;
  const auto& [level, value] = *values_by_level.rbegin();
  return std::pair{level, value};
}

CampaignSnapshot load_snapshot(const store::CampaignStore& store, const SnapshotOptions& options) {
  CampaignSnapshot snapshot;
  snapshot.info = store.info();
  snapshot.directory = std::filesystem::absolute(store.directory()).lexically_normal();
  snapshot.maximize = snapshot.info.direction == "max";

  store::ReadTransaction transaction(store);
  for (const auto& row : store.trials()) snapshot.trials.push_back(trial_from(row));
  for (const auto& trial : snapshot.trials) ++snapshot.states[trial.state];
  for (const auto& [kind, totals] : store.totals()) {
    if (kind == store::EventKind::Report) snapshot.reports = totals.count;
    if (kind == store::EventKind::Warning) snapshot.warnings = totals.count;
    snapshot.elapsed = std::max(snapshot.elapsed, totals.last_time);
  }
  if (const auto end = store.last_of({store::EventKind::Finish, store::EventKind::Resume});
      end && end->kind == store::EventKind::Finish) {
    snapshot.finished = true;
    if (const auto failed = end->data.find("failed"); failed != end->data.end() && failed->is_string())
      snapshot.failed = failed->get<std::string>();
  }
  add_report_stats(snapshot, store);
  add_runs(snapshot, store);
  add_rungs(snapshot);
  add_best_params(snapshot);
  if (options.curves) {
    add_curves(snapshot, store);
    snapshot.inheritances = store::inheritances(store.events_of(store::EventKind::Launch));
  }
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
