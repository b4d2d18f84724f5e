// bench-freeze-thaw-decision: how long freeze_thaw takes to decide what runs next (train the
// deep-power-law ensemble on the new point, score every paused trial and the new candidates,
// take the best EI; scheduler/freeze_thaw.hpp) as the observed curve points grow to 5,000.
//
// An LCBench-shaped problem in process: 7 numeric parameters (the LCBench space), a linear
// ladder of 2, 4, ..., 52 epochs (26 levels), a serial loop (one worker) that answers every run
// at once with a synthetic curve y(x, b) = q(x) + (0.2 + 0.3 x_1) b^(-0.6) + 0.005 noise, and
// the defaults of `scheduler: {type: freeze_thaw}` (5 members, 2 x 32 hidden, 20 Adam steps a
// member per decision, 300 random candidates (--candidates) + the optimizer's, random search as optimizer).
// Each next() is timed with steady_clock (wall) and the thread's CPU clock (what the machine's
// load does not inflate); reported: median, p95 (and wall max) over the decisions
// taken while the model held [k - 500, k) points, for k = 1000 .. --points.
//
//   cmake --build build --target bench-freeze-thaw-decision
//   build/bin/bench-freeze-thaw-decision [--points 5000] [--seed 1]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <random>
#include <vector>

#include "optimizers/random_search.hpp"
#include "scheduler/freeze_thaw.hpp"

using namespace rungs;

namespace {

space::SearchSpace lcbench_space() {
  using space::Scale;
  return space::SearchSpace({space::integer("batch_size", 16, 512, Scale::log), space::real("learning_rate", 1e-4, 0.1, Scale::log),
                             space::real("momentum", 0.1, 0.99), space::real("weight_decay", 1e-5, 0.1),
                             space::integer("num_layers", 1, 5), space::integer("max_units", 64, 1024, Scale::log),
                             space::real("max_dropout", 0, 1)});
}

double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) * 1e-6;
}

double quantile(std::vector<double> xs, double q) {
  std::sort(xs.begin(), xs.end());
  return xs[static_cast<std::size_t>(q * static_cast<double>(xs.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"freeze_thaw's decision time as the curve points grow"};
  std::size_t points = 5000;
  std::uint64_t seed = 1;
  app.add_option("--points", points, "observed curve points to reach");
  app.add_option("--seed", seed, "seed");
  scheduler::FreezeThawOptions options;
  app.add_option("--candidates", options.candidates, "random configurations scored per decision");
  CLI11_PARSE(app, argc, argv);

  const auto space = lcbench_space();
  fidelity::Dimension epochs{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{2, 52}};
  const fidelity::BudgetLadder ladder(2, 52, 3, {epochs}, fidelity::CostModel::product(), 2.0);
  options.max_trials = 1000000;
  scheduler::FreezeThaw s(std::make_unique<optimizers::RandomSearch>(space, seed), ladder, space, options, seed);

  std::mt19937_64 noise(seed);
  std::normal_distribution<double> gauss(0, 0.005);
  std::map<std::size_t, std::vector<double>> times, cpu;  // bucket -> ms
  while (s.model().points() < points) {
    const std::size_t held = s.model().points();
    const double cpu_start = thread_cpu_ms();
    const auto start = std::chrono::steady_clock::now();
    const auto job = s.next();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (!job) break;
    times[held / 500].push_back(ms);
    cpu[held / 500].push_back(thread_cpu_ms() - cpu_start);
    const Eigen::VectorXf x = s.features(job->config);
    const double b = job->budget.values.at("epochs");
    const double q = 0.1 + 0.3 * std::pow(x(1) - 0.8, 2) + 0.2 * std::pow(x(2) - 0.9, 2) + 0.1 * x(6);
    s.on_run_end(job->trial, {q + (0.2 + 0.3 * x(1)) * std::pow(b, -0.6) + gauss(noise), false});
  }
  fmt::print("| points held | decisions | wall median ms | wall p95 ms | wall max ms | CPU median ms | CPU p95 ms |\n"
             "|---|---|---|---|---|---|---|\n");
  for (const auto& [bucket, ms] : times)
    if (bucket >= 1)
      fmt::print("| {}-{} | {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", bucket * 500, bucket * 500 + 499,
                 ms.size(), quantile(ms, 0.5), quantile(ms, 0.95), *std::max_element(ms.begin(), ms.end()),
                 quantile(cpu.at(bucket), 0.5), quantile(cpu.at(bucket), 0.95));
  fmt::print("trials {}, paused {}, completed {}\n", s.trials().size(), s.count(scheduler::TrialState::Waiting),
             s.count(scheduler::TrialState::Completed));
  return 0;
}
