// CampaignStore's typed reads (store.hpp): the SQL against the schema lives here and in
// store.cpp only.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "store/store.hpp"

namespace rungs::store {

namespace {

std::optional<double> number(const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

std::optional<std::int64_t> whole(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number()) return static_cast<std::int64_t>(value.get<double>());
  return std::nullopt;
}

std::optional<std::string> text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  return std::nullopt;
}

const nlohmann::json& field(const nlohmann::json& data, const char* key) {
  static const nlohmann::json null;
  const auto found = data.find(key);
  return found == data.end() ? null : *found;
}

// A flag of an event's data; absent or null (an older writer) is false.
bool flag(const nlohmann::json& data, const char* key) {
  const auto& value = field(data, key);
  return value.is_boolean() ? value.get<bool>() : value.is_number() && value.get<double>() != 0;
}

nlohmann::json object_or_empty(const nlohmann::json& value) {
  return value.is_object() ? value : nlohmann::json::object();
}

std::optional<double> column_number(const SQLite::Column& column) {
  if (column.isInteger() || column.isFloat()) return column.getDouble();
  return std::nullopt;
}

std::optional<std::int64_t> column_integer(const SQLite::Column& column) {
  if (column.isInteger()) return column.getInt64();
  if (column.isFloat()) return static_cast<std::int64_t>(column.getDouble());
  return std::nullopt;
}

nlohmann::json column_json(const SQLite::Column& column) {
  if (column.isNull()) return nlohmann::json();
  return nlohmann::json::parse(column.getString(), nullptr, false);
}

RunRecord launch_record(const Event& launch) {
  const auto& data = launch.data;
  RunRecord run;
  run.run = launch.run.value_or(0);
  run.trial = launch.trial.value_or(0);
  run.bracket = whole(field(data, "bracket")).value_or(0);
  run.level = whole(field(data, "level")).value_or(0);
  run.units = number(field(data, "units")).value_or(0);
  run.budget = object_or_empty(field(data, "budget"));
  run.resumed = flag(data, "resumed");
  run.params = object_or_empty(field(data, "params"));
  run.start = text(field(data, "start"));
  run.cost = number(field(data, "cost"));
  run.launched = launch.time;
  return run;
}

RunEnd run_end(const Event& exit) {
  const auto& data = exit.data;
  RunEnd end;
  end.seq = exit.seq;
  end.time = exit.time;
  end.value = number(field(data, "value"));
  end.stopped_by_scheduler = flag(data, "stopped_by_scheduler");
  end.paused = flag(data, "paused");
  end.exit_code = whole(field(data, "exit_code"));
  end.signal = whole(field(data, "signal"));
  end.timed_out = flag(data, "timed_out");
  end.stale = flag(data, "stale");
  end.failure = text(field(data, "failure"));
  end.attempts = whole(field(data, "attempts"));
  end.seconds = number(field(data, "seconds"));
  if (const auto& feasible = field(data, "feasible"); feasible.is_boolean()) end.feasible = feasible.get<bool>();
  if (const auto& constraints = field(data, "constraints"); constraints.is_array()) end.constraints = constraints;
  if (const auto& objectives = field(data, "objectives"); objectives.is_array()) end.objectives = objectives;
  return end;
}

// The event in the current row of a `SELECT seq, time, kind, trial, run, data` query. Strict:
// data that is not JSON throws (the whole log, which a replay must trust); otherwise it reads
// as a discarded value.
Event event_of(SQLite::Statement& query, bool strict) {
  Event event;
  event.seq = query.getColumn(0).getInt64();
  event.time = query.getColumn(1).getDouble();
  event.kind = event_kind_from(query.getColumn(2).getString());
  if (!query.getColumn(3).isNull()) event.trial = query.getColumn(3).getInt64();
  if (!query.getColumn(4).isNull()) event.run = query.getColumn(4).getInt64();
  const auto data = query.getColumn(5).getString();
  event.data = strict ? nlohmann::json::parse(data) : nlohmann::json::parse(data, nullptr, false);
  return event;
}

}  // namespace

std::vector<TrialRow> CampaignStore::trials() const {
  SQLite::Statement query(*db_,
                          "SELECT trial, bracket, params, state, level, budget, last_value, last_step, "
                          "values_by_level, failure, updated FROM trials ORDER BY trial");
  std::vector<TrialRow> rows;
  while (query.executeStep()) {
    TrialRow row;
    row.trial = query.getColumn(0).getInt64();
    row.bracket = query.getColumn(1).getInt64();
    row.params = object_or_empty(column_json(query.getColumn(2)));
    row.state = query.getColumn(3).getString();
    row.level = query.getColumn(4).getInt64();
    row.budget = object_or_empty(column_json(query.getColumn(5)));
    row.last_value = column_number(query.getColumn(6));
    row.last_step = column_number(query.getColumn(7));
    row.values_by_level = object_or_empty(column_json(query.getColumn(8)));
    if (!query.getColumn(9).isNull()) row.failure = query.getColumn(9).getString();
    row.updated = query.getColumn(10).getDouble();
    rows.push_back(std::move(row));
  }
  return rows;
}

std::vector<RunRecord> CampaignStore::runs() const {
  // One pass over the launches, exits and relaunches: the `runs` view joins them per row,
  // which costs more on a 1,000-trial campaign.
  SQLite::Statement query(*db_,
                          "SELECT seq, time, kind, trial, run, data FROM events "
                          "WHERE kind IN ('launch', 'exit', 'relaunch') ORDER BY seq");
  std::vector<RunRecord> runs;
  std::map<std::int64_t, std::size_t> index;  // run -> position in runs
  while (query.executeStep()) {
    Event event;
    event.seq = query.getColumn(0).getInt64();
    event.time = query.getColumn(1).getDouble();
    const std::string kind = query.getColumn(2).getString();
    if (!query.getColumn(3).isNull()) event.trial = query.getColumn(3).getInt64();
    if (!query.getColumn(4).isNull()) event.run = query.getColumn(4).getInt64();
    if (!event.run) continue;
    event.data = nlohmann::json::parse(query.getColumn(5).getString(), nullptr, false);
    if (kind == "launch") {
      index[*event.run] = runs.size();
      runs.push_back(launch_record(event));
      continue;
    }
    const auto found = index.find(*event.run);
    if (found == index.end()) continue;  // an end without its launch: nothing to attach it to
    auto& run = runs[found->second];
    if (kind == "exit") {
      run.end = run_end(event);
      // A run that trained more than it was charged at launch (it ignored RUNGS_RESUME): its
      // exit holds what it was charged in the end.
      if (const auto cost = number(field(event.data, "cost"))) run.cost = cost;
    }
    else ++run.relaunches;
  }
  std::stable_sort(runs.begin(), runs.end(), [](const RunRecord& a, const RunRecord& b) { return a.run < b.run; });
  return runs;
}

std::vector<Event> CampaignStore::events() const {
  SQLite::Statement query(*db_, "SELECT seq, time, kind, trial, run, data FROM events ORDER BY seq");
  std::vector<Event> events;
  while (query.executeStep()) events.push_back(event_of(query, /*strict=*/true));
  return events;
}

std::optional<Event> CampaignStore::last_of(const std::vector<EventKind>& kinds) const {
  std::string in;
  for (const auto kind : kinds) in += fmt::format("{}'{}'", in.empty() ? "" : ", ", to_string(kind));
  SQLite::Statement query(*db_, fmt::format("SELECT seq, time, kind, trial, run, data FROM events WHERE kind IN ({}) "
                                            "ORDER BY seq DESC LIMIT 1",
                                            in));
  if (!query.executeStep()) return std::nullopt;
  return event_of(query, /*strict=*/false);
}

std::vector<Event> CampaignStore::events_of(EventKind kind) const {
  SQLite::Statement query(*db_, "SELECT seq, time, kind, trial, run, data FROM events WHERE kind = ? ORDER BY seq");
  query.bind(1, to_string(kind));
  std::vector<Event> events;
  while (query.executeStep()) events.push_back(event_of(query, /*strict=*/false));
  return events;
}

std::optional<Event> CampaignStore::first_with(EventKind kind, const std::string& key) const {
  SQLite::Statement query(*db_, "SELECT seq, time, kind, trial, run, data FROM events WHERE kind = ? AND "
                                "json_extract(data, ?) IS NOT NULL ORDER BY seq LIMIT 1");
  query.bind(1, to_string(kind));
  query.bind(2, "$." + key);
  if (!query.executeStep()) return std::nullopt;
  return event_of(query, /*strict=*/false);
}

std::vector<ReportRecord> CampaignStore::reports() const {
  SQLite::Statement query(*db_, "SELECT seq, time, trial, run, data FROM events WHERE kind = 'report' ORDER BY seq");
  std::vector<ReportRecord> reports;
  while (query.executeStep()) {
    const auto data = nlohmann::json::parse(query.getColumn(4).getString(), nullptr, false);
    ReportRecord report;
    report.seq = query.getColumn(0).getInt64();
    report.time = query.getColumn(1).getDouble();
    report.trial = column_integer(query.getColumn(2)).value_or(0);
    report.run = column_integer(query.getColumn(3)).value_or(0);
    report.level = whole(field(data, "level")).value_or(0);
    report.line = whole(field(data, "line")).value_or(0);
    report.step = whole(field(data, "step"));
    report.value = number(field(data, "value"));
    report.metrics = object_or_empty(field(data, "metrics"));
    reports.push_back(std::move(report));
  }
  return reports;
}

std::vector<WarningRecord> CampaignStore::warnings() const {
  SQLite::Statement query(*db_,
                          "SELECT seq, time, trial, run, json_extract(data, '$.message') FROM events "
                          "WHERE kind = 'warning' ORDER BY seq");
  std::vector<WarningRecord> warnings;
  while (query.executeStep()) {
    WarningRecord warning;
    warning.seq = query.getColumn(0).getInt64();
    warning.time = query.getColumn(1).getDouble();
    warning.trial = column_integer(query.getColumn(2));
    warning.run = column_integer(query.getColumn(3));
    if (!query.getColumn(4).isNull()) warning.message = query.getColumn(4).getString();
    warnings.push_back(std::move(warning));
  }
  return warnings;
}

std::map<EventKind, EventTotals> CampaignStore::totals() const {
  SQLite::Statement query(*db_, "SELECT kind, count(*), max(time) FROM events GROUP BY kind");
  std::map<EventKind, EventTotals> totals;
  while (query.executeStep()) {
    EventKind kind;
    try {
      kind = event_kind_from(query.getColumn(0).getString());
    } catch (const std::invalid_argument&) {
      continue;  // a kind a newer rungs writes: not one this reader counts
    }
    totals[kind] = {static_cast<std::size_t>(query.getColumn(1).getInt64()), query.getColumn(2).getDouble()};
  }
  return totals;
}

std::map<std::int64_t, MetricTotals> CampaignStore::metric_totals() const {
  // The reports view extracts JSON per row; a GROUP BY over the events table is one pass.
  SQLite::Statement query(*db_,
                          "SELECT trial, count(v), min(v), max(v) FROM "
                          "(SELECT trial, json_extract(data, '$.value') AS v FROM events WHERE kind = 'report') "
                          "GROUP BY trial");
  std::map<std::int64_t, MetricTotals> totals;
  while (query.executeStep()) {
    if (query.getColumn(0).isNull()) continue;
    totals[query.getColumn(0).getInt64()] = {static_cast<std::size_t>(query.getColumn(1).getInt64()),
                                             column_number(query.getColumn(2)), column_number(query.getColumn(3))};
  }
  return totals;
}

std::vector<Curve> CampaignStore::curves() const {
  SQLite::Statement query(*db_,
                          "SELECT trial, json_extract(data, '$.level'), json_extract(data, '$.line'), "
                          "json_extract(data, '$.step'), json_extract(data, '$.value') FROM events "
                          "WHERE kind = 'report' AND json_extract(data, '$.value') IS NOT NULL ORDER BY trial, seq");
  std::vector<Curve> curves;
  while (query.executeStep()) {
    const auto value = column_number(query.getColumn(4));
    if (!value || query.getColumn(0).isNull()) continue;  // a string where a number belongs: nothing to draw
    const auto trial = query.getColumn(0).getInt64();
    if (curves.empty() || curves.back().trial != trial) curves.push_back(Curve{trial, {}});
    curves.back().points.push_back({column_integer(query.getColumn(1)).value_or(0),
                                    column_integer(query.getColumn(2)).value_or(0), column_integer(query.getColumn(3)),
                                    *value});
  }
  return curves;
}

ReadTransaction::ReadTransaction(const CampaignStore& store) : store_(store) { store_.db_->exec("BEGIN"); }

ReadTransaction::~ReadTransaction() {
  try {
    store_.db_->exec("COMMIT");
  } catch (...) {
    // Nothing was written, so there is nothing to lose: a read transaction that cannot end
    // cleanly ends when the connection closes.
  }
}

}  // namespace rungs::store
