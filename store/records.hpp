#pragma once
// The rows a campaign's store hands out (store/store.hpp): plain structs, so that readers
// (report/, benches, tests) never write SQL against the schema. Each mirrors a table or view
// of docs/storage.md column for column; to_json() writes a row as `rungs export` does, keyed
// by those columns (flags as 0/1, the way SQLite's JSON functions read them in the views, and
// null where a value is absent), so the exported files keep their columns.
//
// What a campaign is (CampaignInfo) is also recorded as data when it is created: its search
// space and its budget ladder, so that a reader needs neither the campaign's YAML nor the
// plugins it loads.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rungs::store {

// One parameter of the search space, as the report shows it (space/parameter.hpp).
struct ParameterInfo {
  std::string name;
  std::string type;                  // "float", "int" or "categorical"
  bool log = false;                  // sampled on a log scale
  std::optional<double> low, high;   // numeric parameters
  std::vector<std::string> choices;  // categorical ones
  nlohmann::json when = nlohmann::json::object();  // its condition: parent -> values; empty: always
  // Its prior (space/prior.hpp), null when none: {"center": value, "sigma": s} for a numeric
  // one, {"center": heaviest choice, "weights": {choice: weight}} for a categorical one.
  nlohmann::json prior = nullptr;
};

// One budget level of the ladder (fidelity/ladder.hpp).
struct LadderLevel {
  std::int64_t level = 0;
  double units = 0;  // scheduler units
  double cost = 0;   // what a fresh run at this level costs under the ladder's cost model
  nlohmann::json budget = nlohmann::json::object();  // dimension -> value
};

struct LadderInfo {
  double eta = 3;
  double min_units = 1;
  double max_units = 1;
  std::vector<LadderLevel> levels;  // level 0 first
};

// What the campaign is, written once when it is created.
struct CampaignInfo {
  std::string name;
  std::string mode = "run";          // "run" or "simulate": how `rungs resume` goes on
  nlohmann::json options = nlohmann::json::object();  // e.g. the simulation's settings
  std::string campaign_yaml;         // the campaign file's text it was started with
  std::string campaign_file;         // where that file was (for relative paths in it)
  std::string metric;
  std::string direction = "min";     // "min" or "max"
  std::string created_at;            // UTC, ISO 8601; filled in by create()
  // Recorded since schema 2; empty (space) or absent (ladder) in a store written before.
  std::vector<ParameterInfo> space;
  std::optional<LadderInfo> ladder;
  // Where it was warm-started from and with what (campaign/warm_start.hpp: the sources, the
  // past observations it used, copied here so that a resume replays them even if the old
  // directories moved or grew, the narrowed ranges); null when not warm-started. Kept in the
  // `warm_start` table, which stores without warm start (and older ones) lack.
  nlohmann::json warm_start = nullptr;
};

// A trial's current row in the `trials` table.
struct TrialRow {
  std::int64_t trial = 0;
  std::int64_t bracket = 0;
  nlohmann::json params = nlohmann::json::object();
  std::string state;                       // scheduler::to_string(TrialState)
  std::int64_t level = 0;                  // highest budget level it was launched at
  nlohmann::json budget = nlohmann::json::object();  // that level's budget point
  std::optional<double> last_value;        // last reported value of the metric
  std::optional<double> last_step;
  nlohmann::json values_by_level = nlohmann::json::object();  // level -> value at its end
  std::optional<std::string> failure;      // the last failure, if any
  double updated = 0;                      // campaign seconds
};

// How a run ended: its `exit` event.
struct RunEnd {
  std::int64_t seq = 0;             // the exit event's place in the log (not exported)
  double time = 0;                  // campaign seconds
  std::optional<double> value;      // the metric at its end; empty if it failed
  bool stopped_by_scheduler = false;
  bool paused = false;
  std::optional<std::int64_t> exit_code;
  std::optional<std::int64_t> signal;
  bool timed_out = false;
  bool stale = false;
  std::optional<std::string> failure;
  std::optional<std::int64_t> attempts;
  std::optional<double> seconds;
  // Campaigns with constraints: whether all held (absent: true), and each constraint's
  // [{constraint, metric, value}]; with several objectives, [{name, mode, value}] in the
  // campaign's order. Null when the campaign has none.
  bool feasible = true;
  nlohmann::json constraints;
  nlohmann::json objectives;
};

// A row of the `runs` view: a trial at one budget level, from its launch and exit events.
struct RunRecord {
  std::int64_t run = 0;
  std::int64_t trial = 0;
  std::int64_t bracket = 0;
  std::int64_t level = 0;
  double units = 0;
  nlohmann::json budget = nlohmann::json::object();
  bool resumed = false;             // a promotion
  nlohmann::json params = nlohmann::json::object();
  std::optional<std::string> start;  // "new", "resume" or "rerun"
  // What the campaign charged for it (fidelity/run_cost.hpp): the launch's `cost`, or the
  // exit's when the run ended charged otherwise (more: a resumed run that trained from the
  // start, campaign/retrain_check.hpp; less: a run stopped early, charged the steps it trained,
  // fidelity::trained_cost); empty when the launch event holds no `cost`, which readers
  // must show as unknown, never guess.
  std::optional<double> cost;
  double launched = 0;              // campaign seconds
  std::optional<RunEnd> end;        // empty while it is out
  std::int64_t relaunches = 0;
};

// A row of the `reports` view.
struct ReportRecord {
  std::int64_t seq = 0;
  double time = 0;
  std::int64_t trial = 0;
  std::int64_t run = 0;
  std::int64_t level = 0;
  std::int64_t line = 0;               // stdout line number of the run
  std::optional<std::int64_t> step;    // the report's step, if it had one
  std::optional<double> value;         // the metric; empty when the line lacked it
  nlohmann::json metrics = nlohmann::json::object();
};

// A row of the `warnings` view.
struct WarningRecord {
  std::int64_t seq = 0;
  double time = 0;
  std::optional<std::int64_t> trial;
  std::optional<std::int64_t> run;
  std::string message;
};

// Events of one kind: how many, and the campaign time of the last.
struct EventTotals {
  std::size_t count = 0;
  double last_time = 0;
};

// A trial's reports that carry a value of the metric: how many, the lowest and highest.
struct MetricTotals {
  std::size_t count = 0;
  std::optional<double> min, max;
};

// A trial's learning curve: its reports with a numeric value of the metric, in order.
struct CurvePoint {
  std::int64_t level = 0;
  std::int64_t line = 0;
  std::optional<std::int64_t> step;
  double value = 0;
};
struct Curve {
  std::int64_t trial = 0;
  std::vector<CurvePoint> points;
};

// Rows as `rungs export` writes them (see the file comment).
void to_json(nlohmann::json& json, const TrialRow& row);
void to_json(nlohmann::json& json, const RunRecord& row);
void to_json(nlohmann::json& json, const ReportRecord& row);
void to_json(nlohmann::json& json, const WarningRecord& row);

// The recorded space and ladder as stored in the `campaign` row, and back. from_json is
// tolerant: a missing field takes its default.
void to_json(nlohmann::json& json, const ParameterInfo& parameter);
void from_json(const nlohmann::json& json, ParameterInfo& parameter);
void to_json(nlohmann::json& json, const LadderInfo& ladder);
void from_json(const nlohmann::json& json, LadderInfo& ladder);

}  // namespace rungs::store
