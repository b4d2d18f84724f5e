// bench-multi-objective-hypervolume: hypervolume against budget (issue 15) on a synthetic
// two-objective multi-fidelity problem.
//
// Problem (ZDT1 in 2-D): x in [0,1]^2, g = 1 + 9 x1, f1 = x0, f2 = g (1 - sqrt(x0 / g)), both
// minimized (front: x1 = 0, f2 = 1 - sqrt(f1)); at budget b each objective gets a fidelity
// bias 0.3 (1 - b / 27) cos(9 x0 + 7 x1 + k) (k = 0, 1), 27 the full budget.
// Methods (sequential, budget 1..27, eta 3):
//   random   random configurations at the full budget;
//   nds-hb   Hyperband, promotion by non-dominated sorting + epsilon-net (MO-ASHA's rule),
//            random configurations;
//   motpe-hb the same with TPE splitting by MOTPE's rule.
// Figure: the hypervolume (reference (1.1, 11)) of the full-budget points' true objectives
// once B full-budget equivalents are spent (B = --checkpoints), mean +- SE over seeds.
//   build/bin/bench-multi-objective-hypervolume [--seeds 20] [--checkpoints 20,50,100]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/sample_stats.hpp"
#include "optimizers/pareto.hpp"
#include "optimizers/random_search.hpp"
#include "optimizers/tpe/tpe.hpp"
#include "scheduler/hyperband.hpp"

using namespace rungs;

namespace {

constexpr double kMax = 27;

std::vector<double> objectives(double x0, double x1, double b) {
  const double g = 1 + 9 * x1;
  const double f1 = x0, f2 = g * (1 - std::sqrt(x0 / g));
  const double bias = 0.3 * (1 - b / kMax);
  return {f1 + bias * std::cos(9 * x0 + 7 * x1), f2 + bias * std::cos(9 * x0 + 7 * x1 + 1)};
}

// Hypervolume (true objectives of the full-budget points) at each checkpoint of budget spent.
std::vector<double> run(const std::string& method, std::uint64_t seed, const std::vector<double>& checkpoints) {
  const space::SearchSpace space({space::real("x0", 0, 1), space::real("x1", 0, 1)});
  fidelity::Dimension epochs;
  epochs.name = "epochs";
  epochs.integer = true;
  epochs.growth = fidelity::Growth::Continued;
  epochs.mapping = fidelity::Geometric{1, kMax};
  const fidelity::BudgetLadder ladder(1, kMax, 3, {epochs});
  std::vector<optimizers::Point> full;
  std::vector<double> out;
  double spent = 0;
  const auto record = [&](double cost) {
    spent += cost / kMax;
    while (out.size() < checkpoints.size() && spent >= checkpoints[out.size()])
      out.push_back(optimizers::hypervolume_2d(full, {1.1, 11}));
  };
  if (method == "random") {
    optimizers::RandomSearch random(space, seed);
    while (out.size() < checkpoints.size()) {
      const auto config = random.suggest(ladder.at(ladder.s_max()));
      const double x0 = std::get<double>(config.at("x0")), x1 = std::get<double>(config.at("x1"));
      full.push_back(objectives(x0, x1, kMax));
      record(kMax);
    }
    return out;
  }
  std::unique_ptr<optimizers::Optimizer> optimizer;
  if (method == "motpe-hb") optimizer = std::make_unique<optimizers::Tpe>(space, optimizers::TpeSettings{}, seed);
  else optimizer = std::make_unique<optimizers::RandomSearch>(space, seed);
  scheduler::HyperbandOptions options;
  options.iterations = 1000;
  scheduler::Hyperband hyperband(std::move(optimizer), ladder, options);
  while (out.size() < checkpoints.size()) {
    auto job = hyperband.next();
    if (!job) break;
    const double x0 = std::get<double>(job->config.at("x0")), x1 = std::get<double>(job->config.at("x1"));
    const auto seen = objectives(x0, x1, job->budget.units);
    if (job->budget.level == ladder.s_max()) full.push_back(objectives(x0, x1, kMax));
    scheduler::RunEnd end{seen[0], false};
    end.measures.objectives = seen;
    hyperband.on_run_end(job->trial, end);
    record(job->budget.units - (job->resume_from ? job->resume_from->units : 0));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench-multi-objective-hypervolume: hypervolume against budget, random / NDS Hyperband / MOTPE"};
  std::uint64_t seeds = 20;
  std::vector<double> checkpoints = {20, 50, 100};
  app.add_option("--seeds", seeds);
  app.add_option("--checkpoints", checkpoints, "budget spent, in full-budget evaluations")->delimiter(',');
  CLI11_PARSE(app, argc, argv);
  fmt::print("hypervolume (reference (1.1, 11); ZDT1's front: {:.3f}) after B full-budget evaluations, {} seeds\n",
             optimizers::hypervolume_2d([] {
               std::vector<optimizers::Point> front;
               for (int i = 0; i <= 2000; ++i) front.push_back({i / 2000.0, 1 - std::sqrt(i / 2000.0)});
               return front;
             }(), {1.1, 11}), seeds);
  fmt::print("{:<10}", "method");
  for (double b : checkpoints) fmt::print("   B = {:<14g}", b);
  fmt::print("\n");
  for (const std::string method : {"random", "nds-hb", "motpe-hb"}) {
    std::vector<bench::SampleStats> stats(checkpoints.size());
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
      const auto hv = run(method, seed, checkpoints);
      for (std::size_t i = 0; i < hv.size(); ++i) stats[i].add(hv[i]);
    }
    fmt::print("{:<10}", method);
    for (const auto& s : stats) fmt::print("   {:>7.4f} +- {:.4f}", s.mean(), s.se());
    fmt::print("\n");
  }
}
