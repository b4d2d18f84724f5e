// Population-based training against ASHA and Hyperband at equal total budget, on a synthetic
// training problem whose best learning rate changes during training: no fixed configuration
// is good all the way, a schedule is (the situation PBT is for, Jaderberg et al. 2017).
//
// The problem (deterministic given the learning rates used, epoch by epoch): training moves a
// distance d towards the optimum; with u = log10(lr) and u*(t) = -1 - 2 t / T the best log
// learning rate at epoch t of T (0.1 at the start, 0.001 at the end),
//   d <- d (1 - 0.25 exp(-(u - u*(t))^2 / (2 0.6^2)))          one epoch
//   loss = d + 0.5 max(0, u - u*(t))^2                          reported after the epoch
// the second term being the noise floor of a learning rate too high for the stage of training.
// A trial's state is d (its checkpoint): a promotion continues it, and an inheriting PBT trial
// starts from its donor's d at the level copied. Space: lr in [1e-4, 1] (log) and a nuisance
// parameter that does nothing, so random search is not handed a one-dimensional problem.
//
// Methods (each with random search for its new configurations, one worker, runs in order):
//   - pbt: population 8, interval 4 epochs, T = 32: 8 x 32 = 256 epochs;
//   - pb2 (Parker-Holder et al. 2020; explore: pb2, the GP bandit of optimizers/gp/pb2_bandit.hpp
//     chooses the explored lr): the same, asynchronous and synchronous;
//   - population 4 (128 epochs): pbt and pb2 again, PB2's case (small populations);
//   - asha (eta 2, levels 2, 4, 8, 16, 32) and hyperband (eta 2, the same levels): stopped
//     when the next run would take the charged epochs (fidelity::run_cost) past 256.
// Figure: the true loss at 32 epochs of the configuration each method returns (the best run
// that reached 32 epochs; for PBT the best member), mean +- SE over 20 seeds, and the best
// fixed learning rate's loss and the oracle schedule's (lr = 10^u*(t)) as references.
// Asynchronous PBT may charge less than 256: a member that takes the weights of a member ahead
// of it skips the epochs between.
//   cmake --build build --target bench-pbt-benefit && build/bin/bench-pbt-benefit [--seeds 20]
//     [--only-pbt]   (only the PBT and PB2 rows)
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include "bench/sample_stats.hpp"
#include "fidelity/run_cost.hpp"
#include "optimizers/gp/pb2_bandit.hpp"
#include "optimizers/random_search.hpp"
#include "scheduler/asha.hpp"
#include "scheduler/hyperband.hpp"
#include "scheduler/pbt.hpp"

using namespace rungs;

namespace {

constexpr double kEpochs = 32;
constexpr double kBudget = 256;

double best_u(double t) { return -1.0 - 2.0 * t / kEpochs; }

double train_epoch(double d, double lr, double t) {
  const double gap = std::log10(lr) - best_u(t);
  return d * (1 - 0.25 * std::exp(-gap * gap / (2 * 0.6 * 0.6)));
}

double loss(double d, double lr, double t) {
  const double over = std::max(0.0, std::log10(lr) - best_u(t));
  return d + 0.5 * over * over;
}

space::SearchSpace problem_space() {
  return space::SearchSpace({space::real("lr", 1e-4, 1.0, space::Scale::log), space::real("nuisance", 0, 1)});
}

fidelity::Dimension epochs_dimension(double low) {
  return fidelity::Dimension{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{low, kEpochs}};
}

struct Outcome {
  double loss = std::numeric_limits<double>::infinity();  // of the returned configuration at T
  double charged = 0;
};

// Drives a scheduler with one worker until it is done or the next run would pass the budget.
Outcome drive(scheduler::Scheduler& s, const fidelity::BudgetLadder& ladder, double budget = kBudget) {
  std::map<scheduler::TrialId, std::map<double, double>> state;  // trial -> epoch -> d after it
  Outcome out;
  while (auto job = s.next()) {
    const double cost = fidelity::run_cost(ladder, job->budget, job->resume_from);
    if (out.charged + cost > budget + 1e-9) break;
    out.charged += cost;
    const double start = job->resume_from ? job->resume_from->values.at("epochs") : 0;
    const double end = job->budget.values.at("epochs");
    const auto from = job->inherits ? job->inherits->donor : job->trial;
    double d = start > 0 ? state.at(from).at(start) : 1.0;
    const double lr = std::get<double>(job->config.at("lr"));
    for (double t = start; t < end; t += 1) d = train_epoch(d, lr, t);
    state[job->trial][end] = d;
    const double value = loss(d, lr, end - 1);
    s.on_run_end(job->trial, {value, false});
    if (end == kEpochs) out.loss = std::min(out.loss, value);
  }
  return out;
}

double best_fixed() {
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 400; ++i) {
    const double lr = std::pow(10.0, -4.0 + 4.0 * i / 399.0);
    double d = 1;
    for (double t = 0; t < kEpochs; t += 1) d = train_epoch(d, lr, t);
    best = std::min(best, loss(d, lr, kEpochs - 1));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"PBT vs ASHA and Hyperband at equal budget on a problem whose best learning rate decays"};
  int seeds = 20;
  bool only_pbt = false;
  app.add_option("--seeds", seeds, "seeds per method")->check(CLI::PositiveNumber);
  app.add_flag("--only-pbt", only_pbt, "only the PBT and PB2 rows (no ASHA, Hyperband)");
  CLI11_PARSE(app, argc, argv);

  const auto space = problem_space();
  const fidelity::BudgetLadder linear(4, kEpochs, 2, {epochs_dimension(4)}, fidelity::CostModel::units(), 4.0);
  const fidelity::BudgetLadder geometric(2, kEpochs, 2, {epochs_dimension(2)});
  std::map<std::string, bench::SampleStats> losses, charged;
  for (int seed = 1; seed <= seeds; ++seed) {
    const auto s = static_cast<std::uint64_t>(seed);
    auto optimizer = [&] { return std::make_unique<optimizers::RandomSearch>(space, s); };
    for (const std::size_t population : {8, 4})
      for (const bool pb2 : {false, true})
        for (const bool synchronous : {false, true}) {
          const scheduler::PbtOptions options{.population = population, .interval = 4, .synchronous = synchronous,
                                              .explore = pb2 ? scheduler::PbtExplore::pb2 : scheduler::PbtExplore::perturb};
          scheduler::Pbt pbt(optimizer(), linear, space, options, s,
                             pb2 ? std::make_unique<optimizers::gp::Pb2Bandit>(space) : nullptr);
          const auto o = drive(pbt, linear, static_cast<double>(population) * kEpochs);
          const std::string name =
              fmt::format("{}{} {}", pb2 ? "pb2" : "pbt", synchronous ? " sync" : "", population);
          losses[name].add(o.loss);
          charged[name].add(o.charged);
        }
    if (only_pbt) continue;
    scheduler::Asha asha(optimizer(), geometric, {.max_trials = 100000});
    auto o = drive(asha, geometric);
    losses["asha"].add(o.loss);
    charged["asha"].add(o.charged);
    scheduler::Hyperband hyperband(optimizer(), geometric, {.iterations = 1000});
    o = drive(hyperband, geometric);
    losses["hyperband"].add(o.loss);
    charged["hyperband"].add(o.charged);
  }
  fmt::print("loss at {} epochs of the returned configuration, {} seeds (mean +- SE); budget {} epochs, pbt/pb2 N: N x {}\n",
             kEpochs, seeds, kBudget, kEpochs);
  for (const auto& [name, stats] : losses)
    fmt::print("  {:<18} {:.4f} +- {:.4f}   (epochs charged {:.0f})\n", name, stats.mean(), stats.se(),
               charged[name].mean());
  fmt::print("  best fixed lr      {:.4f}   (a grid of 400 learning rates, each trained {} epochs)\n", best_fixed(),
             kEpochs);
  double d = 1;  // the oracle schedule: lr = 10^u*(t) at every epoch
  for (double t = 0; t < kEpochs; t += 1) d = train_epoch(d, std::pow(10.0, best_u(t)), t);
  fmt::print("  oracle schedule    {:.4f}   (lr = 10^u*(t) at every epoch)\n", loss(d, std::pow(10.0, best_u(kEpochs - 1)), kEpochs - 1));
  return 0;
}
