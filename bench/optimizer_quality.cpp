// bench-optimizer-quality: how close each method gets to the known optimum of the synthetic
// problems (problems/registry.hpp) for the same total budget.
//
// Methods (--optimizers, comma-separated):
//   rs         random search: every configuration at the maximum budget
//   hb+NAME    Hyperband (eta 3, all 5 brackets per iteration) with optimizer NAME from
//              campaign/factory.cpp: hb+random (Hyperband as in Li et al. 2018), hb+tpe
//              (BOHB, Falkner et al. 2018), hb+gp; `bohb` is an alias of hb+tpe.
// Everything runs in process through study::Study, one evaluation per job
// (Problem::evaluate at the job's budget), sequentially.
//
// Equal budget. A run at ladder level k costs its budget units (Counting Ones: draws 9..729;
// Branin, Hartmann-6: 1..81); a promoted run pays its whole budget again (the problems'
// fidelity dimensions have fixed growth). The total budget is --iterations Hyperband
// iterations' worth: per iteration, sum over brackets and stages of configs x units =
// 23.48 max-budget evaluations for these 5-level ladders (206 runs). Random search gets
// floor(total / max units) configurations at the maximum budget (4 iterations: 93), run as
// Hyperband on a one-level ladder (one configuration per bracket) so it goes through Study too.
//
// Regret: the final recommendation is Study::best() (best told value at the largest budget
// level reached), evaluated noise-free at full fidelity: regret = true_value(config) - optimum
// (Counting Ones: the expectation, so the recommendation's own noise does not count).
// Reported: mean and standard error (sd / sqrt(seeds)) over seeds 0..seeds-1. Optimizers the
// factory does not know yet ("unknown optimizer") are reported as n/a.
//
//   build/bin/bench-optimizer-quality [--seeds 20] [--iterations 4]
//       [--problems counting_ones_8,counting_ones_16,branin,hartmann6]
//       [--optimizers rs,hb+random,hb+tpe,hb+gp]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "study/study.hpp"
#include "problems/registry.hpp"
#include "scheduler/hyperband_schedule.hpp"

using namespace rungs;
using Clock = std::chrono::steady_clock;

namespace {

struct Method {
  std::string key;        // as given on the command line
  std::string label;      // table header
  std::string optimizer;  // factory name
  bool max_budget_only = false;
};

Method parse_method(const std::string& key) {
  if (key == "rs") return {key, "random search", "random", true};
  if (key == "bohb") return {key, "BOHB (Hyperband + tpe)", "tpe", false};
  if (key.rfind("hb+", 0) == 0 && key.size() > 3) {
    const auto optimizer = key.substr(3);
    const auto label = optimizer == "tpe" ? std::string("BOHB (Hyperband + tpe)") : "Hyperband + " + optimizer;
    return {key, label, optimizer, false};
  }
  throw std::invalid_argument(fmt::format("unknown method '{}' (rs, hb+OPTIMIZER, bohb)", key));
}

// Budget units of one Hyperband iteration on `ladder`: sum over brackets and stages.
double iteration_units(const fidelity::BudgetLadder& ladder) {
  double units = 0;
  for (const auto& plan : scheduler::hyperband_brackets(ladder.s_max(), ladder.eta()))
    for (const auto& stage : plan.stages) units += static_cast<double>(stage.configs) * ladder.at(stage.level).units;
  return units;
}

// The problem's ladder reduced to its top level: min = max units, each dimension at its top value.
fidelity::BudgetLadder top_level_ladder(const fidelity::BudgetLadder& ladder) {
  const auto& top = ladder.at(ladder.levels() - 1);
  std::vector<fidelity::Dimension> dimensions = ladder.dimensions();
  for (auto& dimension : dimensions) dimension.mapping = fidelity::Listed{{top.values.at(dimension.name)}};
  return fidelity::BudgetLadder(top.units, top.units, ladder.eta(), std::move(dimensions));
}

struct Cell {
  std::string note;             // "n/a" or an error; empty when measured
  std::vector<double> regrets;  // one per seed
  double seconds = 0;           // total wall time
  double runs = 0, units = 0;   // totals over seeds
};

// One method on one problem, every seed.
Cell measure(const problems::Problem& problem, const Method& method, std::size_t iterations, std::size_t seeds) {
  const double total_units = static_cast<double>(iterations) * iteration_units(problem.ladder);
  const auto ladder = method.max_budget_only ? top_level_ladder(problem.ladder) : problem.ladder;
  const std::size_t study_iterations =
      method.max_budget_only ? static_cast<std::size_t>(std::floor(total_units / problem.ladder.max_units() + 1e-9))
                             : iterations;
  Cell cell;
  const auto t0 = Clock::now();
  const auto optimizer = study::optimizer_named(method.optimizer);
  if (!optimizer) {
    cell.note = "n/a";
    return cell;
  }
  for (std::size_t seed = 0; seed < seeds; ++seed) {
    std::optional<study::Study> study;
    study.emplace(problem.space, ladder,
                  rungs::study::StudyOptions{.scheduler = {scheduler::HyperbandOptions{.iterations = study_iterations}},
                                             .optimizer = *optimizer, .seed = seed});
    std::mt19937_64 noise(0x9E3779B97F4A7C15ULL * (seed + 1));  // Counting Ones' draws
    while (auto job = study->ask()) {
      cell.runs += 1;
      cell.units += job->budget.units;
      study->tell(job->trial, problem.evaluate(job->config, job->budget, noise));
    }
    const auto best = study->best();
    if (!best) throw std::runtime_error("the study finished without a result");
    cell.regrets.push_back(problem.regret(best->config));
  }
  cell.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return cell;
}

double mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return sum / static_cast<double>(v.size());
}

double standard_error(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean(v);
  double sum = 0;
  for (double x : v) sum += (x - m) * (x - m);
  return std::sqrt(sum / static_cast<double>(v.size() - 1) / static_cast<double>(v.size()));
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto part = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) parts.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return parts;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Regret at equal total budget on the synthetic problems, per method"};
  std::size_t seeds = 20;
  std::size_t iterations = 4;
  std::string problem_list = fmt::format("{}", fmt::join(problems::names(), ","));
  std::string method_list = "rs,hb+random,hb+tpe,hb+gp";
  app.add_option("--seeds", seeds, "seeds 0..N-1 per cell")->check(CLI::PositiveNumber);
  app.add_option("--iterations", iterations, "total budget: this many Hyperband iterations")->check(CLI::PositiveNumber);
  app.add_option("--problems", problem_list, "comma-separated problem names");
  app.add_option("--optimizers", method_list, "comma-separated methods: rs, hb+OPTIMIZER, bohb");
  CLI11_PARSE(app, argc, argv);

  try {
    std::vector<const problems::Problem*> selected;
    for (const auto& name : split(problem_list)) selected.push_back(&problems::by_name(name));
    std::vector<Method> methods;
    for (const auto& key : split(method_list)) methods.push_back(parse_method(key));

    std::vector<std::vector<Cell>> cells(selected.size());
    for (std::size_t p = 0; p < selected.size(); ++p) {
      for (const auto& method : methods) {
        try {
          cells[p].push_back(measure(*selected[p], method, iterations, seeds));
        } catch (const std::exception& error) {
          Cell failed;
          failed.note = fmt::format("error: {}", error.what());
          cells[p].push_back(failed);
        }
        const auto& cell = cells[p].back();
        fmt::print(stderr, "{} / {}: {}\n", selected[p]->name, method.key,
                   cell.note.empty() ? fmt::format("{:.2f} s", cell.seconds) : cell.note);
      }
    }

    fmt::print("Mean regret ± standard error over {} seeds (0..{}); total budget per run = {} Hyperband "
               "iteration(s) (eta 3, 5 levels), in budget units (max-budget evaluations):\n\n",
               seeds, seeds - 1, iterations);
    fmt::print("| problem | optimum | total budget |");
    for (const auto& method : methods) fmt::print(" {} |", method.label);
    fmt::print("\n|---|---|---|");
    for (std::size_t m = 0; m < methods.size(); ++m) fmt::print("---|");
    fmt::print("\n");
    for (std::size_t p = 0; p < selected.size(); ++p) {
      const auto& problem = *selected[p];
      const double total = static_cast<double>(iterations) * iteration_units(problem.ladder);
      fmt::print("| {} | {:.6g} | {:.0f} ({:.1f}) |", problem.name, problem.optimum, total,
                 total / problem.ladder.max_units());
      for (const auto& cell : cells[p]) {
        if (!cell.note.empty()) fmt::print(" {} |", cell.note);
        else fmt::print(" {:.4g} ± {:.2g} |", mean(cell.regrets), standard_error(cell.regrets));
      }
      fmt::print("\n");
    }

    fmt::print("\nPer seed: runs, budget units used, wall time [ms]:\n\n| problem |");
    for (const auto& method : methods) fmt::print(" {} |", method.label);
    fmt::print("\n|---|");
    for (std::size_t m = 0; m < methods.size(); ++m) fmt::print("---|");
    fmt::print("\n");
    for (std::size_t p = 0; p < selected.size(); ++p) {
      fmt::print("| {} |", selected[p]->name);
      for (const auto& cell : cells[p]) {
        if (!cell.note.empty()) {
          fmt::print(" {} |", cell.note);
          continue;
        }
        const double n = static_cast<double>(cell.regrets.size());
        fmt::print(" {:.0f} runs, {:.0f} units, {:.1f} ms |", cell.runs / n, cell.units / n, 1e3 * cell.seconds / n);
      }
      fmt::print("\n");
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench-optimizer-quality: {}\n", error.what());
    return 2;
  }
}
