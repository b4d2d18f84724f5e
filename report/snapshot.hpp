#pragma once
// A campaign as `rungs status` and `rungs report` show it: one consistent read of its
// rungs.db (one SQLite read transaction, so a campaign that is writing meanwhile never shows
// half an event), with the numbers both views need worked out once here:
//
//  - the best so far, by the one rule the campaign loop also follows (scheduler/incumbent.hpp):
//    the highest budget level first, then the best value there, over runs that reached their
//    budget (a run stopped early never reached it, so its value is not the value there);
//  - per bracket and level, how many trials are there and in which state;
//  - the budget spent: the sum of what the loop charged each run (the launch events' `cost`,
//    docs/fidelity.md: a promotion that resumes from its checkpoint pays the increment).
//    A run whose launch recorded no cost (a store written before costs were, or by a writer
//    that names the field otherwise) makes it unknown: never guessed from the units, which
//    differ from the cost whenever a budget dimension is cheaper than its units say.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/lineage.hpp"
#include "store/store.hpp"

namespace rungs::report {

// One trial's row of the `trials` table, with what the reports say about it.
struct TrialSummary {
  std::int64_t trial = 0;
  std::int64_t bracket = 0;
  std::string state;  // running, waiting, stopped, completed, failed
  std::int64_t level = 0;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json budget = nlohmann::json::object();  // the budget point of `level`
  std::optional<double> last_value;
  std::optional<double> last_step;
  std::optional<double> best_reported;  // best metric value over all its reports
  std::size_t reports = 0;              // report lines with a value of the metric
  std::map<std::int64_t, double> values_by_level;  // level -> value at the end of that run
  std::optional<std::string> failure;
  double updated = 0;

  // The value it is ranked by: at the highest level it finished a run at, if any.
  std::optional<std::pair<std::int64_t, double>> final_value() const;
};

// Trials of one bracket at one budget level (their highest so far), by state.
struct RungCount {
  std::int64_t bracket = 0;
  std::int64_t level = 0;
  nlohmann::json budget = nlohmann::json::object();
  std::size_t reached = 0;  // trials launched at this level or higher
  std::map<std::string, std::size_t> states;  // of the trials whose highest level this is
};

// What a budget level is: its scheduler units and budget point, as launches recorded them.
struct LevelInfo {
  double units = 0;
  nlohmann::json budget = nlohmann::json::object();
};

// One run (a trial at one budget level), from its launch and exit events.
struct RunSummary {
  std::int64_t run = 0;
  std::int64_t trial = 0;
  std::int64_t level = 0;
  std::optional<double> charged;  // scheduler units it cost, see the file comment; empty: unknown
  double launched = 0;
  std::optional<double> ended;  // empty while it is out
  std::optional<double> value;  // at its end; empty if it failed
  bool stopped_by_scheduler = false;
  bool failed = false;
  // How it ended, as its exit event recorded it (store::RunEnd): the report's timeline and
  // failures table.
  bool paused = false;
  bool timed_out = false;
  std::optional<std::int64_t> exit_code, signal;
  std::optional<std::string> failure;
  bool feasible = true;            // every constraint held (campaigns with constraints)
  std::vector<double> objectives;  // several objectives: each one's value, as reported
};

// Several objectives and constraints as the runs' exit events describe them
// (campaign/run_events.cpp), and the campaign's Pareto front by the loop's rule
// (campaign/pareto_result.hpp), recomputed from the runs so that it shows while it runs.
struct ObjectiveInfo {
  std::string name;
  bool maximize = false;
};
struct ParetoEntry {
  std::int64_t trial = 0;
  std::int64_t level = 0;
  std::vector<double> values;  // as reported, in the order of CampaignSnapshot::objectives
};
struct ConstraintInfo {
  std::string text;    // "latency_ms <= 20"
  std::string metric;
  bool reported = false;      // some ended run's trial reported the metric
  std::size_t infeasible = 0; // ended runs that violated it (or never reported it)
};

struct BestSoFar {
  std::int64_t trial = 0;
  std::int64_t level = 0;
  double value = 0;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json budget = nlohmann::json::object();
};

// A trial's learning curve: the metric over its reports, in order (across its runs: a
// promotion that continues goes on from its last step, one that retrains starts over).
struct Curve {
  std::int64_t trial = 0;
  std::vector<double> steps;   // the report's step, or its stdout line number without one
  std::vector<double> values;
  std::vector<std::int64_t> levels;
};

struct CampaignSnapshot {
  store::CampaignInfo info;
  std::filesystem::path directory;  // the campaign's directory, absolute
  bool maximize = false;
  // The campaign ended: its log's last finish event comes after its last resume. A campaign
  // stopped by trial.max_failures_before_success ended too, `failed` saying why.
  bool finished = false;
  std::optional<std::string> failed;
  double elapsed = 0;     // campaign seconds of the last event
  std::vector<TrialSummary> trials;  // by trial id
  std::map<std::int64_t, LevelInfo> levels;  // the levels launched so far
  std::vector<RungCount> rungs;      // by bracket, then level
  std::map<std::string, std::size_t> states;  // trials per state
  std::vector<RunSummary> runs;  // by run number
  std::size_t runs_out = 0;  // launched and not ended: running now (or when it stopped)
  std::size_t reports = 0;
  std::size_t warnings = 0;
  std::optional<double> budget_spent;  // scheduler units, see the file comment; empty: unknown
  std::optional<BestSoFar> best;
  std::vector<ObjectiveInfo> objectives;     // empty with one objective
  std::vector<ParetoEntry> front;            // by the first objective
  std::vector<ConstraintInfo> constraints;   // empty without constraints (or before a run ended)
  std::vector<Curve> curves;  // by trial id; only with SnapshotOptions::curves
  // Population-based training: who copied whom (store/lineage.hpp); only with curves too.
  std::vector<store::Inheritance> inheritances;

  // Whether value `a` is better than `b` in the metric's direction.
  bool better(double a, double b) const { return maximize ? a > b : a < b; }
};

struct SnapshotOptions {
  bool curves = false;  // every report's value: the HTML report needs them, a status table not
};

// Fills objectives, front and constraints from the ended runs (snapshot_objectives.cpp).
void add_objectives(CampaignSnapshot& snapshot, const std::vector<store::RunRecord>& records);

// Reads everything above from the store (which may be open read-only while another process
// writes it).
CampaignSnapshot load_snapshot(const store::CampaignStore& store, const SnapshotOptions& options = {});

// Trials best first: those with a final value by (level desc, value), then the others by
// last value, then by id. Returns indices into snapshot.trials.
std::vector<std::size_t> rank_trials(const CampaignSnapshot& snapshot);

// "epochs=9, data_fraction=0.5" for a budget point.
std::string describe_budget(const nlohmann::json& budget);

// A JSON value as short text: strings unquoted, numbers with up to 6 significant digits.
std::string describe_value(const nlohmann::json& value);

}  // namespace rungs::report
