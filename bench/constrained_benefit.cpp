// bench-constrained-benefit: what knowing the constraints buys (issue 15), on a synthetic
// constrained multi-fidelity problem, Hyperband (eta 3, budget 1..27) + TPE, sequential.
//
// Problem: x in [0,1]^2, f(x) = (x0 - 0.2)^2 + (x1 - 0.3)^2 at the full budget, plus a
// fidelity bias 0.3 (1 - b / 27) cos(9 x0 + 7 x1) at budget b; constraint x0 + x1 >= 1
// (measured exactly at every budget), which excludes the unconstrained optimum: the
// constrained one is (0.45, 0.55), f* = 0.125.
// Methods:
//   ctpe    the scheduler and TPE see the constraint (Deb's ranking at the rungs, c-TPE);
//   reject  neither does (the constraint is ignored while searching), and the result is the
//           best FEASIBLE full-budget run afterwards.
// Figures per method, mean +- SE over seeds: the share of the budget spent on infeasible
// configurations, and the regret f - f* of the best feasible full-budget run (censored at 1
// when there is none).
//   build/bin/bench-constrained-benefit [--seeds 20] [--iterations 4]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <string>

#include "bench/sample_stats.hpp"
#include "optimizers/tpe/tpe.hpp"
#include "scheduler/hyperband.hpp"

using namespace rungs;

namespace {

constexpr double kOptimum = 0.125;

struct Outcome {
  double infeasible_share = 0;
  double regret = 1;
};

Outcome run(bool aware, std::uint64_t seed, std::size_t iterations) {
  const space::SearchSpace space({space::real("x0", 0, 1), space::real("x1", 0, 1)});
  fidelity::Dimension epochs;
  epochs.name = "epochs";
  epochs.integer = true;
  epochs.growth = fidelity::Growth::Continued;
  epochs.mapping = fidelity::Geometric{1, 27};
  const fidelity::BudgetLadder ladder(1, 27, 3, {epochs});
  scheduler::HyperbandOptions options;
  options.iterations = iterations;
  scheduler::Hyperband hyperband(std::make_unique<optimizers::Tpe>(space, optimizers::TpeSettings{}, seed), ladder,
                                 options);
  double spent = 0, wasted = 0, best = HUGE_VAL;
  while (auto job = hyperband.next()) {
    const double x0 = std::get<double>(job->config.at("x0")), x1 = std::get<double>(job->config.at("x1"));
    const double f = (x0 - 0.2) * (x0 - 0.2) + (x1 - 0.3) * (x1 - 0.3);
    const double b = job->budget.units;
    const double value = f + 0.3 * (1 - b / 27) * std::cos(9 * x0 + 7 * x1);
    const double margin = 1.0 - (x0 + x1);  // <= 0 holds
    const double cost = b - (job->resume_from ? job->resume_from->units : 0);
    spent += cost;
    if (margin > 0) wasted += cost;
    if (margin <= 0 && job->budget.level == ladder.s_max()) best = std::min(best, f);
    scheduler::RunEnd end{value, false};
    if (aware) end.measures.constraints = {margin};
    hyperband.on_run_end(job->trial, end);
  }
  return {wasted / spent, std::isfinite(best) ? best - kOptimum : 1.0};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench-constrained-benefit: c-TPE against ignoring the constraint and rejecting afterwards"};
  std::uint64_t seeds = 20;
  std::size_t iterations = 4;
  app.add_option("--seeds", seeds);
  app.add_option("--iterations", iterations, "Hyperband iterations (all brackets each)");
  CLI11_PARSE(app, argc, argv);
  fmt::print("method   budget on infeasible configs   regret of best feasible (f* = {})   [{} seeds, "
             "Hyperband x{}]\n", kOptimum, seeds, iterations);
  for (const bool aware : {true, false}) {
    bench::SampleStats share, regret;
    for (std::uint64_t seed = 0; seed < seeds; ++seed) {
      const auto outcome = run(aware, seed, iterations);
      share.add(outcome.infeasible_share);
      regret.add(outcome.regret);
    }
    fmt::print("{:<8} {:>10.3f} +- {:.3f}               {:>10.4f} +- {:.4f}\n", aware ? "ctpe" : "reject",
               share.mean(), share.se(), regret.mean(), regret.se());
  }
}
