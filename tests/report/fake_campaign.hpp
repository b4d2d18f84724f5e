#pragma once
// A campaign database with known contents for the report tests, written the way the
// campaign loop writes one (docs/storage.md): Hyperband-like brackets whose rungs keep the
// best 1/eta, a few runs stopped early by a stopping-rule decision, one failed trial, one
// still running, warnings; values in awkward text (commas, quotes, a newline) where CSV
// quoting matters.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace rungs::testing {

struct FakeCampaignOptions {
  std::string name = "report-test";
  int levels = 3;                 // budget levels 0..levels-1, units eta^level, epochs = units
  int eta = 3;
  int trials_per_bracket = 9;     // bracket b starts trials_per_bracket / eta^b trials at level b
  int reports_per_epoch = 1;
  bool early_stops = true;        // every 4th run of level 0 stopped mid-run by a decision
  bool with_failure = true;       // one trial fails (no reports, exit code 1)
  bool leave_running = true;      // the last trial is launched, reports, does not end
  std::uint32_t seed = 1;
};

// What the tests check against.
struct FakeCampaignFacts {
  std::size_t trials = 0;
  std::size_t trials_with_reports = 0;  // trials with at least one report of the metric
  std::size_t stopped = 0, completed = 0, failed = 0, running = 0, waiting = 0;
  std::size_t runs = 0, reports = 0, warnings = 0;
  std::int64_t best_trial = 0;
  std::int64_t best_level = -1;
  double best_value = 0;
  std::int64_t failed_trial = 0;
  std::int64_t running_trial = 0;
  std::int64_t early_stopped_trial = 0;  // one of the trials stopped mid-run
};

// The YAML the fake campaign claims it ran (it parses: the report reads its search space).
inline std::string fake_campaign_yaml(const FakeCampaignOptions& options) {
  const int max_units = static_cast<int>(std::lround(std::pow(options.eta, options.levels - 1)));
  return "name: " + options.name + "\n" +
         "metric: {name: val_loss, mode: min}\n"
         "space:\n"
         "  optimizer: {type: categorical, choices: [sgd, \"adam, fast\", 'say \"hi\"']}\n"
         "  lr:        {type: float, low: 1.0e-4, high: 1.0, log: true}\n"
         "  momentum:  {type: float, low: 0.0, high: 0.95, when: {optimizer: sgd}}\n"
         "  hidden:    {type: int, low: 8, high: 128, log: true}\n"
         "budget:\n"
         "  min: 1\n"
         "  max: " + std::to_string(max_units) + "\n" +
         "  dimensions:\n"
         "    epochs: {type: int, growth: continued, min: 1, max: " + std::to_string(max_units) + "}\n" +
         "scheduler: {type: hyperband, eta: " + std::to_string(options.eta) + "}\n" +
         "trial:\n"
         "  command: [train, --lr, \"{lr}\"]\n";
}

inline FakeCampaignFacts write_fake_campaign(const std::filesystem::path& directory,
                                             const FakeCampaignOptions& options = {}) {
  using store::Event;
  using store::EventKind;
  store::CampaignInfo info;
  info.name = options.name;
  info.campaign_yaml = fake_campaign_yaml(options);
  info.campaign_file = (directory / "campaign.yaml").string();
  info.metric = "val_loss";
  info.direction = "min";
  auto store = store::CampaignStore::create(directory, info);

  std::mt19937 random(options.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const std::vector<std::string> choices = {"sgd", "adam, fast", "say \"hi\""};

  FakeCampaignFacts facts;
  std::map<std::int64_t, store::TrialRow> rows;
  std::map<std::int64_t, double> quality;  // the asymptote of each trial's curve
  std::map<std::int64_t, double> last_epoch;
  double clock = 0;
  std::int64_t next_run = 0;
  auto units_of = [&](int level) { return std::pow(options.eta, level); };
  auto budget_of = [&](int level) { return nlohmann::json{{"epochs", static_cast<int>(std::lround(units_of(level)))}}; };

  auto set_state = [&](std::int64_t trial, const std::string& state) {
    auto& row = rows[trial];
    row.state = state;
    row.updated = clock;
    store.append(Event{.time = clock, .kind = EventKind::State, .trial = trial, .run = std::nullopt, .data = {{"state", state}}}, &row);
  };

  // One run of `trial` at `level`; returns its value if it reached its budget.
  auto run = [&](std::int64_t trial, int bracket, int level, bool promoted, bool stop_early, bool fail,
                 bool leave_out) -> std::optional<double> {
    auto& row = rows[trial];
    const std::int64_t run_id = ++next_run;
    ++facts.runs;
    row.bracket = bracket;
    row.level = level;
    row.budget = budget_of(level);
    row.state = "running";
    row.updated = clock += 0.5;
    store.append(Event{.time = clock, .kind = EventKind::Launch, .trial = trial, .run = run_id, .data = {{"bracket", bracket}, {"level", level}, {"units", units_of(level)}, {"budget", row.budget},
                        {"params", row.params}, {"resumed", promoted},
                        {"cost", promoted ? units_of(level) - units_of(level - 1) : units_of(level)}}},
                 &row);
    if (fail) {
      row.failure = "exited with code 1, \"CUDA out of memory\"";
      row.updated = clock += 1;
      store.append(Event{.time = clock, .kind = EventKind::Exit, .trial = trial, .run = run_id, .data = {{"value", nullptr}, {"stopped_by_scheduler", false}, {"exit_code", 1}, {"signal", nullptr},
                          {"timed_out", false}, {"failure", *row.failure}, {"seconds", 1.0}}},
                   &row);
      set_state(trial, "failed");
      return std::nullopt;
    }
    const double from = promoted ? last_epoch[trial] : 0;
    const double to = units_of(level);
    const int reports = static_cast<int>(std::lround((to - from) * options.reports_per_epoch));
    const int stop_after = stop_early ? std::max(1, reports / 2) : reports;
    int line = 0;
    double value = 0;
    for (int i = 1; i <= stop_after; ++i) {
      const double step = from + i / static_cast<double>(options.reports_per_epoch);
      value = quality[trial] + 1.0 / std::sqrt(step) + 0.01 * unit(random);
      row.last_value = value;
      row.last_step = step;
      row.updated = clock += 0.1;
      ++facts.reports;
      store.append(Event{.time = clock, .kind = EventKind::Report, .trial = trial, .run = run_id, .data = {{"level", level}, {"line", ++line}, {"step", step}, {"value", value},
                          {"metrics", {{"val_loss", value}, {"val_acc", 1 - value / 4}, {"note", "epoch, \"ok\""}}}}},
                   &row);
    }
    last_epoch[trial] = to;
    if (leave_out) return std::nullopt;
    if (stop_early) {
      store.append(Event{.time = clock, .kind = EventKind::Decision, .trial = trial, .run = run_id, .data = {{"decision", "stop"}, {"value", value}}});
    }
    row.updated = clock += 0.2;
    if (!stop_early) row.values_by_level[std::to_string(level)] = value;
    store.append(Event{.time = clock, .kind = EventKind::Exit, .trial = trial, .run = run_id, .data = {{"value", value}, {"stopped_by_scheduler", stop_early}, {"exit_code", stop_early ? nlohmann::json() : nlohmann::json(0)},
                        {"signal", stop_early ? nlohmann::json(15) : nlohmann::json()}, {"timed_out", false},
                        {"failure", nullptr}, {"seconds", to - from}}},
                 &row);
    if (stop_early) {
      set_state(trial, "stopped");
      return std::nullopt;
    }
    if (level == options.levels - 1) {
      set_state(trial, "completed");
    } else {
      set_state(trial, "waiting");
    }
    if (level >= facts.best_level && (level > facts.best_level || value < facts.best_value)) {
      facts.best_level = level;
      facts.best_value = value;
      facts.best_trial = trial;
    }
    return value;
  };

  std::int64_t next_trial = 0;
  std::vector<std::int64_t> all_trials;
  for (int bracket = 0; bracket < options.levels; ++bracket) {
    const int start = static_cast<int>(options.trials_per_bracket / std::pow(options.eta, bracket));
    std::vector<std::int64_t> rung;
    for (int i = 0; i < std::max(start, 1); ++i) {
      const auto trial = ++next_trial;
      all_trials.push_back(trial);
      auto& row = rows[trial];
      row.trial = trial;
      const auto& optimizer = choices[static_cast<std::size_t>(trial) % choices.size()];
      row.params = {{"optimizer", optimizer},
                    {"lr", std::pow(10.0, -4 + 4 * unit(random))},
                    {"hidden", static_cast<int>(8 + unit(random) * 120)}};
      if (optimizer == "sgd") row.params["momentum"] = unit(random) * 0.95;
      quality[trial] = 0.05 + unit(random);
      rung.push_back(trial);
    }
    for (int level = bracket; level < options.levels && !rung.empty(); ++level) {
      std::vector<std::pair<double, std::int64_t>> finished;
      for (std::size_t i = 0; i < rung.size(); ++i) {
        const auto trial = rung[i];
        const bool fail = options.with_failure && bracket == 0 && level == 0 && i == 1;
        const bool stop_early = options.early_stops && level == 0 && i % 4 == 3;
        const bool leave_out = options.leave_running && bracket == options.levels - 1 && i + 1 == rung.size() &&
                               level == options.levels - 1;
        const auto value = run(trial, bracket, level, level > bracket, stop_early, fail, leave_out);
        if (fail) facts.failed_trial = trial;
        if (stop_early && !facts.early_stopped_trial) facts.early_stopped_trial = trial;
        if (leave_out) facts.running_trial = trial;
        if (value) finished.emplace_back(*value, trial);
      }
      std::sort(finished.begin(), finished.end());
      // At least one goes on, so that every bracket reaches the top level despite the failures.
      const auto keep = level + 1 < options.levels ? std::max<std::size_t>(1, finished.size() / options.eta) : 0;
      rung.clear();
      for (std::size_t i = 0; i < finished.size(); ++i) {
        if (i < keep) rung.push_back(finished[i].second);
        else if (level + 1 < options.levels) set_state(finished[i].second, "stopped");
      }
    }
  }
  store.append(Event{.time = clock, .kind = EventKind::Warning, .trial = 3, .run = 3, .data = {{"message", "trial 3 line 7: malformed report line '@rungs {\"val_loss\": oops, }'\nsecond line"}}});
  ++facts.warnings;

  facts.trials = rows.size();
  for (const auto& [id, row] : rows) {
    if (row.last_value) ++facts.trials_with_reports;
    if (row.state == "stopped") ++facts.stopped;
    if (row.state == "completed") ++facts.completed;
    if (row.state == "failed") ++facts.failed;
    if (row.state == "running") ++facts.running;
    if (row.state == "waiting") ++facts.waiting;
  }
  return facts;
}

}  // namespace rungs::testing
