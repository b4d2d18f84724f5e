// synthetic-trial: the synthetic problems (registry.hpp) as a real trial process, so that
// campaigns, schedulers and stopping rules can be exercised end to end without training
// anything.
//
//   synthetic-trial --problem NAME [--max-epochs 27] [--seed 0] [--sleep-ms 0] [--metric loss]
//
// Reads the configuration from RUNGS_PARAMS and the budget from RUNGS_BUDGET (or params.json,
// see client/rungs_trial.hpp) and prints reports `@rungs {"step": e, "loss": v}`:
//  - budget with "epochs" (E of --max-epochs): one report per epoch e = 1..epochs, v =
//    Problem::at_epoch(config, e, max_epochs), the learning curve that converges to the
//    noise-free full-fidelity value at e = max_epochs. When rungs promotes the trial
//    (RUNGS_RESUME=1) it continues after the epoch in checkpoint.json in the trial directory.
//  - otherwise, budget with the problem's fidelity dimension ("draws", "s"): one report,
//    step 1, v = Problem::evaluate at that budget (Counting Ones' noise from --seed and the
//    trial id);
//  - otherwise one report of the objective at full fidelity.
// A campaign using it (space and fidelity from the problem, epochs as the budget):
//   space:  {x1: {type: float, low: -5, high: 10}, x2: {type: float, low: 0, high: 15}}
//   budget: {min: 1, max: 27, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27}}}
//   trial:  {command: [synthetic-trial, --problem, branin, --max-epochs, "27"]}
// Exit status 2 on a bad problem name, configuration or budget (message on stderr).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <rungs_trial.hpp>

#include <chrono>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>

#include "problems/registry.hpp"

using namespace rungs;

namespace {

// RUNGS_PARAMS (a JSON object) as a Config of the problem's space, converted with
// space::coerce (JSON numbers and text both work) and validated.
space::Config read_config(const problems::Problem& problem) {
  const nlohmann::json params = trial::params();
  space::Config config;
  for (const auto& [name, value] : params.items()) {
    const auto* parameter = problem.space.find(name);
    if (parameter == nullptr)
      throw std::invalid_argument(fmt::format("'{}' is not a parameter of problem '{}'", name, problem.name));
    space::Value raw;
    if (value.is_number_integer()) raw = value.get<std::int64_t>();
    else if (value.is_number()) raw = value.get<double>();
    else if (value.is_string()) raw = value.get<std::string>();
    else throw std::invalid_argument(fmt::format("parameter '{}': unsupported JSON value {}", name, value.dump()));
    const auto coerced = space::coerce(parameter->domain, raw);
    if (!coerced)
      throw std::invalid_argument(fmt::format("parameter '{}': {} is not a {}", name, value.dump(),
                                              space::describe(parameter->domain)));
    config[name] = *coerced;
  }
  problem.space.validate(config);
  return config;
}

std::filesystem::path checkpoint_path() { return trial::trial_dir() / "checkpoint.json"; }

// The last epoch a previous run of this trial reported, when resuming; else 0.
long resumed_epoch() {
  if (!trial::resume()) return 0;
  std::ifstream in(checkpoint_path());
  if (!in) return 0;
  const auto saved = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  return saved.is_object() && saved.contains("epoch") && saved["epoch"].is_number_integer()
             ? saved["epoch"].get<long>()
             : 0;
}

void save_checkpoint(long epoch) {
  if (!trial::launched_by_rungs()) return;  // standalone: leave the working directory alone
  std::ofstream(checkpoint_path()) << nlohmann::json{{"epoch", epoch}}.dump() << '\n';
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A synthetic multi-fidelity problem as a rungs trial process"};
  std::string problem_name;
  double max_epochs = 27;
  std::uint64_t seed = 0;
  int sleep_ms = 0;
  std::string metric = "loss";
  bool list = false;
  app.add_option("--problem", problem_name, "problem name (--list shows them)");
  app.add_option("--max-epochs", max_epochs, "epochs at which the learning curve reaches full fidelity")
      ->check(CLI::PositiveNumber);
  app.add_option("--seed", seed, "noise seed (Counting Ones), combined with the trial id");
  app.add_option("--sleep-ms", sleep_ms, "pause per report, to look like training")->check(CLI::NonNegativeNumber);
  app.add_option("--metric", metric, "name of the reported metric");
  app.add_flag("--list", list, "print the problems and exit");
  CLI11_PARSE(app, argc, argv);

  try {
    if (list) {
      for (const auto& problem : problems::all())
        fmt::print("{:<18} optimum {:<10.6g} {}\n", problem.name, problem.optimum, problem.description);
      return 0;
    }
    if (problem_name.empty()) throw std::invalid_argument("--problem is required (--list shows the problems)");
    const auto& problem = problems::by_name(problem_name);
    const auto config = read_config(problem);
    const nlohmann::json budget = trial::budget();
    const auto pause = [&] {
      if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
    };

    if (budget.contains("epochs")) {
      const long epochs = std::lround(budget["epochs"].get<double>());
      for (long epoch = resumed_epoch() + 1; epoch <= epochs; ++epoch) {
        pause();
        trial::report(epoch, {{metric, problem.at_epoch(config, static_cast<double>(epoch), max_epochs)}});
        save_checkpoint(epoch);
      }
      return 0;
    }
    std::mt19937_64 rng(seed ^ std::hash<std::string>{}(trial::trial_id()));
    const double fidelity = budget.contains(problem.fidelity_dimension)
                                ? budget[problem.fidelity_dimension].get<double>()
                                : problem.full_fidelity();
    pause();
    trial::report(1, {{metric, problem.evaluate_at(config, fidelity, rng)}});
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "synthetic-trial: " << error.what() << '\n';
    return 2;
  }
}
