#pragma once
// Campaign stores written by the real campaign loop, for the report tests: a small campaign
// run through campaign::run_simulation (the simulated backend on a virtual clock:
// deterministic, a fraction of a second), and what status, report and export must show of it,
// worked out independently from the store's raw event log:
//  - trials, runs, reports, warnings, states: counted from the events;
//  - the best: scheduler::Incumbent offered the exit events in log order;
//  - the budget spent: fidelity::run_cost of every launch, priced from the spec's ladder and
//    the trial's previous launch (never from the `cost` the loop recorded), so that a reader
//    that reads the wrong field, or guesses, disagrees; a resumed run whose first step repeats
//    its trial's steps is priced as a fresh run (campaign/retrain_check.hpp), from the reports.
// The ladder makes cost and units differ (a data fraction that warm-starts, charged with the
// product model, and promotions charged the increment, docs/fidelity.md), and a timeout fails
// some runs.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"
#include "fidelity/run_cost.hpp"
#include "scheduler/incumbent.hpp"
#include "store/store.hpp"

namespace rungs::testing {

struct RealCampaignOptions {
  std::string name = "report-test";
  std::string direction = "min";
  int iterations = 2;         // Hyperband iterations: 25 trials each (max_epochs 9)
  int max_epochs = 9;         // 9: levels 1, 3, 9 epochs; 27: four levels, 65 trials an iteration
  std::uint64_t seed = 3;
  std::string timeout = "25s";  // virtual seconds: fails the slowest runs at the top levels
  // Set on the parsed spec, past the YAML's rule that a name be a safe path component (a C++
  // caller may name a campaign anything; the report must still escape it).
  std::optional<std::string> spec_name = std::nullopt;
  bool priors = false;  // priors on optimizer and lr (space/prior.hpp): the report marks their centres
  // Population-based training instead of Hyperband (6 members, linear epochs 1..max_epochs,
  // 2 per interval, no data fraction): the report draws the lineage.
  bool pbt = false;
};

// Categorical choices with a comma and quotes, where CSV quoting matters.
inline std::string real_campaign_yaml(const RealCampaignOptions& options) {
  const std::string fractions = options.max_epochs == 27 ? "[0.25, 0.5, 1.0, 1.0]" : "[0.25, 0.5, 1.0]";
  const std::string epochs = std::to_string(options.max_epochs);
  return "name: \"" + options.name + "\"\n" +
         "seed: " + std::to_string(options.seed) + "\n" +
         "metric: {name: val_loss, mode: " + options.direction + "}\n" +
         "space:\n"
         "  optimizer: {type: categorical, choices: [sgd, \"adam, fast\", 'say \"hi\"']" +
         (options.priors ? ", prior: {center: sgd}" : "") + "}\n" +
         "  lr:        {type: float, low: 1.0e-4, high: 1.0, log: true" +
         (options.priors ? ", prior: {center: 3.0e-3, confidence: high}" : "") + "}\n" +
         "  momentum:  {type: float, low: 0.0, high: 0.95, when: {optimizer: sgd}}\n"
         "  hidden:    {type: int, low: 8, high: 128, log: true}\n"
         "budget:\n"
         "  min: 1\n"
         "  max: " + epochs + "\n" +
         (options.pbt ? "  step: 1\n" : "") +
         "  dimensions:\n"
         "    epochs: {type: int, growth: continued, min: 1, max: " + epochs + "}\n" +
         (options.pbt ? std::string()
                      : "    data_fraction: {type: float, values: " + fractions + ", on_change: warm_start}\n") +
         (options.pbt ? std::string("scheduler: {type: pbt, population: 6, interval: 2, quantile: 0.34, max_concurrent: 3}\n")
                      : "scheduler: {type: hyperband, eta: 3, max_concurrent: 3, iterations: " +
                            std::to_string(options.iterations) + "}\n") +
         "optimizer: random\n"
         "trial:\n"
         "  command: [train, --lr, \"{lr}\"]\n"
         "  timeout: " + options.timeout + "\n";
}

// What the tests check against, from the event log only.
struct CampaignFacts {
  std::size_t trials = 0, runs = 0, runs_out = 0, reports = 0, warnings = 0;
  std::map<std::string, std::size_t> states;  // trials per final state
  std::map<std::int64_t, std::string> state_of;
  std::set<std::int64_t> trials_with_values;  // trials with a report carrying the metric
  std::optional<scheduler::RunResult> best;   // value in the metric's own direction
  double budget_spent = 0;                    // sum of fidelity::run_cost, priced here
  double units_spent = 0;                     // sum of the runs' units (what a guess would give)
  bool finished = false;
  std::int64_t failed_trial = 0;              // one failed trial, if any
  std::int64_t stopped_trial = 0;             // one stopped trial, if any
  std::size_t failed_runs = 0;                // exits with a failure
  std::map<std::int64_t, nlohmann::json> params_of;    // trial -> its parameters
  std::map<std::int64_t, std::int64_t> bracket_of;     // trial -> its bracket
  std::map<std::int64_t, std::int64_t> first_level;    // trial -> level of its first launch
  std::map<std::int64_t, std::int64_t> top_level;      // trial -> highest level it was launched at
  std::map<std::int64_t, nlohmann::json> budget_of_level;  // level -> budget point, as launched
  // trial -> (level, value) of its highest run that reached its budget (neither stopped by the
  // scheduler nor failed): what ranks it.
  std::map<std::int64_t, std::pair<std::int64_t, double>> final_of;
  std::vector<std::string> warning_messages;  // in log order

  // Trials best first: those with a final value by (level desc, value in the metric's
  // direction), then the others by id (the test campaigns report the metric on every line).
  std::vector<std::int64_t> ranked(bool maximize) const {
    std::vector<std::int64_t> order;
    for (const auto& [trial, state] : state_of) order.push_back(trial);
    auto key = [&](std::int64_t trial) {
      const auto found = final_of.find(trial);
      if (found == final_of.end()) return std::tuple{1, std::int64_t{0}, 0.0, trial};
      return std::tuple{0, -found->second.first, (maximize ? -1 : 1) * found->second.second, trial};
    };
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return key(a) < key(b); });
    return order;
  }
};

inline CampaignFacts facts_from_events(const store::CampaignStore& store, const campaign::CampaignSpec& spec) {
  CampaignFacts facts;
  std::map<std::int64_t, std::int64_t> last_level;  // trial -> level of its previous launch
  std::map<std::int64_t, double> launch_charge;     // run -> what its launch was charged
  std::map<std::int64_t, std::optional<fidelity::Budget>> resumed_of;  // run -> the budget it resumed from
  std::set<std::int64_t> unjudged;                  // runs whose first step is still to come
  std::map<std::int64_t, double> last_step;         // trial -> step of its last report with a value
  std::set<std::int64_t> out, trials;
  scheduler::Incumbent incumbent;
  const double sign = spec.metric.maximize ? -1.0 : 1.0;
  for (const auto& event : store.events()) {
    const auto trial = event.trial.value_or(0);
    const auto& data = event.data;
    switch (event.kind) {
      case store::EventKind::Launch: {
        ++facts.runs;
        trials.insert(trial);
        out.insert(*event.run);
        const auto level = data.at("level").get<std::size_t>();
        facts.params_of[trial] = data.at("params");
        facts.bracket_of[trial] = data.at("bracket").get<std::int64_t>();
        facts.first_level.try_emplace(trial, static_cast<std::int64_t>(level));
        facts.top_level[trial] = std::max(facts.top_level[trial], static_cast<std::int64_t>(level));
        facts.budget_of_level[static_cast<std::int64_t>(level)] = data.at("budget");
        std::optional<fidelity::Budget> resumed_from;
        // A PBT trial that inherits starts from its donor's checkpoint at the level recorded.
        if (data.contains("inherits")) resumed_from = spec.ladder.at(data["inherits"].at("level").get<std::size_t>());
        else if (data.at("resumed").get<bool>()) resumed_from = spec.ladder.at(static_cast<std::size_t>(last_level.at(trial)));
        launch_charge[*event.run] = fidelity::run_cost(spec.ladder, spec.ladder.at(level), resumed_from);
        resumed_of[*event.run] = resumed_from;
        unjudged.insert(*event.run);
        facts.budget_spent += launch_charge[*event.run];
        facts.units_spent += spec.ladder.at(level).units;
        last_level[trial] = static_cast<std::int64_t>(level);
        break;
      }
      case store::EventKind::Exit: {
        out.erase(*event.run);
        const bool failed = !data.at("failure").is_null();
        const double value = data.at("value").is_number() ? data.at("value").get<double>() : std::numeric_limits<double>::quiet_NaN();
        const bool stopped = data.at("stopped_by_scheduler").get<bool>();
        facts.failed_runs += failed ? 1 : 0;
        if (!failed && !stopped && std::isfinite(value)) facts.final_of[trial] = {last_level.at(trial), value};
        incumbent.offer({static_cast<scheduler::TrialId>(trial), static_cast<std::size_t>(last_level.at(trial)), sign * value,
                         data.at("stopped_by_scheduler").get<bool>(), failed});
        break;
      }
      case store::EventKind::Report: {
        ++facts.reports;
        // A promoted run told to resume whose first step repeats its trial's steps trained
        // from the start: it is charged a fresh run (campaign/retrain_check.hpp).
        const auto run = *event.run;
        if (data.at("step").is_number() && unjudged.erase(run) > 0) {
          const auto level = last_level.at(trial);
          const auto previous = last_step.find(trial);
          const auto start = fidelity::run_start(spec.ladder, spec.ladder.at(level), resumed_of.at(run));
          if (previous != last_step.end() && start == fidelity::RunStart::Resume && spec.ladder.has_continued() &&
              data.at("step").get<double>() <= previous->second)
            facts.budget_spent += fidelity::run_cost(spec.ladder, spec.ladder.at(level), std::nullopt) - launch_charge.at(run);
        }
        if (data.at("value").is_number()) {
          facts.trials_with_values.insert(trial);
          if (data.at("step").is_number()) last_step[trial] = data.at("step").get<double>();
        }
        break;
      }
      case store::EventKind::Relaunch:
      case store::EventKind::Retry: unjudged.erase(event.run.value_or(0)); break;  // told to report again
      case store::EventKind::State: facts.state_of[trial] = data.at("state").get<std::string>(); break;
      case store::EventKind::Warning:
        ++facts.warnings;
        facts.warning_messages.push_back(data.at("message").get<std::string>());
        break;
      case store::EventKind::Finish: facts.finished = true; break;
      default: break;
    }
  }
  facts.trials = trials.size();
  facts.runs_out = out.size();
  for (const auto& [trial, state] : facts.state_of) {
    ++facts.states[state];
    if (state == "failed" && !facts.failed_trial) facts.failed_trial = trial;
    if (state == "stopped" && !facts.stopped_trial) facts.stopped_trial = trial;
  }
  facts.best = incumbent.best();
  if (facts.best) facts.best->value *= sign;
  return facts;
}

struct RealCampaign {
  campaign::CampaignSpec spec;
  CampaignFacts facts;
};

// Runs the campaign into `directory` (which must not hold one) and returns its facts.
inline RealCampaign write_real_campaign(const std::filesystem::path& directory, const RealCampaignOptions& options = {}) {
  auto spec = campaign::parse_campaign(real_campaign_yaml(options), "campaign.yaml", directory);
  if (options.spec_name) spec.name = *options.spec_name;
  auto scheduler = campaign::make_scheduler(spec);
  campaign::SimulationOptions simulation;
  simulation.seed = options.seed;
  simulation.epoch_seconds = 2;
  campaign::run_simulation(spec, *scheduler, simulation, directory);
  const auto store = store::CampaignStore::open(directory, /*read_only=*/true);
  auto facts = facts_from_events(store, spec);
  return {std::move(spec), std::move(facts)};
}

}  // namespace rungs::testing
