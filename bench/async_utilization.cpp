// bench-async-utilization: how busy a pool of workers stays under each scheduler, on dry runs
// (campaign/simulation.hpp: the real campaign loop and scheduler, trials simulated on a
// virtual clock by the synthetic model).
//
// Campaign (built here; --print-campaign shows it): a small mixed space (categorical optimizer,
// log-float lr, conditional momentum/beta1, log-int hidden), budget epochs 1..81 (continued),
// eta 3, metric loss (min), optimizer random. Per-configuration epoch cost is lognormal-ish
// with --cost-spread (default 1.0: some configurations several times slower than others),
// mean --epoch-seconds (60). --workers (16) virtual workers.
//
// Schedulers, at roughly equal numbers of trials (new configurations). rungs' synchronous
// schedulers open the next bracket while the open ones wait for their stage (HpBandSter's
// behaviour, scheduler/bracket_scheduler.hpp); the "strict" rows build the same schedulers
// with overlap_brackets = false (one bracket at a time, textbook synchronous Hyperband/SH):
//   hyperband        synchronous Hyperband, 2 x --scale iterations (143 trials each: 286)
//   sh               synchronous successive halving, bracket s_max = 4, 4 x --scale iterations (81 each: 324)
//   asha-promotion   ASHA, mode promotion, max_trials --trials x --scale (300)
//   asha-stopping    ASHA, mode stopping, max_trials --trials
//   async-hyperband  asynchronous Hyperband (promotion), max_trials --trials
//
// Utilization, counted two ways, both from the simulation's virtual clock:
//   whole   SimulationSummary::utilization = sum of run durations / (workers x makespan),
//           makespan = first launch to last exit. Includes the final drain, when the last runs
//           finish one by one and the other workers have nothing to do; every scheduler loses
//           that, the fewer trials the larger its share.
//   to last launch   the same ratio over [0, time of the last launch]: busy worker-time inside
//           that window / (workers x window). Excludes the drain; run intervals come from
//           the runs view (duration "seconds") and reports view (a simulated run exits at its
//           last report, or at the report where the scheduler stopped it).
// Reported: mean ± standard error (sd / sqrt(seeds)) over seeds 0..--seeds-1 (the seed drives
// both the landscape/costs and the scheduler/optimizer seed).
//
//   build/bin/bench-async-utilization [--seeds 5] [--workers 16] [--trials 300]
//       [--cost-spread 1.0] [--epoch-seconds 60] [--print-campaign]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench/sample_stats.hpp"
#include "bench/simulated_campaign.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"
#include "scheduler/hyperband.hpp"

namespace fs = std::filesystem;
using namespace rungs;
using Clock = std::chrono::steady_clock;

namespace {

// Busy worker-time inside [0, last launch] / (workers x last launch).
double utilization_to_last_launch(const fs::path& dir, std::size_t workers) {
  std::map<std::pair<std::uint64_t, std::uint64_t>, double> end;  // (trial, run) -> last report time
  for (const auto& report : store::CampaignStore::open(dir, true).reports()) {
    const auto key = std::make_pair(static_cast<std::uint64_t>(report.trial), static_cast<std::uint64_t>(report.run));
    auto& t = end[key];
    t = std::max(t, report.time);
  }
  std::vector<std::pair<double, double>> intervals;
  double last_launch = 0;
  for (const auto& run : store::CampaignStore::open(dir, true).runs()) {
    const auto key = std::make_pair(static_cast<std::uint64_t>(run.trial), static_cast<std::uint64_t>(run.run));
    const auto it = end.find(key);
    if (it == end.end()) continue;  // no report: cannot place it (does not happen without failures)
    const double stop = it->second, start = stop - (run.end ? run.end->seconds.value_or(0) : 0);
    intervals.emplace_back(start, stop);
    last_launch = std::max(last_launch, start);
  }
  if (!(last_launch > 0)) return 0;
  double busy = 0;
  for (const auto& [start, stop] : intervals) busy += std::max(0.0, std::min(stop, last_launch) - std::max(start, 0.0));
  return busy / (static_cast<double>(workers) * last_launch);
}

using Stat = rungs::bench::SampleStats;

struct Method {
  std::string label;
  std::string scheduler;  // YAML flow mapping
  bool strict = false;    // hyperband / successive_halving built here with overlap_brackets = false
};

std::unique_ptr<scheduler::Scheduler> build_scheduler(campaign::CampaignSpec spec, const Method& method) {
  if (method.strict) {
    if (auto* hyperband = std::get_if<scheduler::HyperbandOptions>(&spec.scheduler.kind)) hyperband->overlap_brackets = false;
    if (auto* halving = std::get_if<scheduler::SuccessiveHalvingOptions>(&spec.scheduler.kind)) halving->overlap_brackets = false;
  }
  return campaign::make_scheduler(spec);
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t seeds = 5, workers = 16, trials = 300, scale = 1;
  double cost_spread = 1.0, epoch_seconds = 60;
  bool print_campaign = false;
  CLI::App app{"Worker utilization per scheduler on simulated campaigns with uneven epoch costs"};
  app.add_option("--seeds", seeds, "seeds 0..N-1 per scheduler")->check(CLI::PositiveNumber);
  app.add_option("--workers", workers, "virtual workers")->check(CLI::PositiveNumber);
  app.add_option("--trials", trials, "max_trials of the asynchronous schedulers")->check(CLI::PositiveNumber);
  app.add_option("--cost-spread", cost_spread, "sigma of the per-configuration log epoch cost");
  app.add_option("--epoch-seconds", epoch_seconds, "mean virtual seconds per epoch");
  app.add_option("--scale", scale, "multiply every scheduler's iterations / max_trials by this")->check(CLI::PositiveNumber);
  app.add_flag("--print-campaign", print_campaign, "print the campaign YAML (Hyperband) and exit");
  CLI11_PARSE(app, argc, argv);

  const std::string mc = fmt::format("max_concurrent: {}", workers);
  const std::vector<Method> methods = {
      {"Hyperband (sync)", fmt::format("{{type: hyperband, eta: 3, iterations: {}, {}}}", 2 * scale, mc)},
      {"successive halving (sync, s=4)",
       fmt::format("{{type: successive_halving, eta: 3, bracket: 4, iterations: {}, {}}}", 4 * scale, mc)},
      {"Hyperband (sync, strict: no bracket overlap)",
       fmt::format("{{type: hyperband, eta: 3, iterations: {}, {}}}", 2 * scale, mc), true},
      {"successive halving (sync, s=4, strict)",
       fmt::format("{{type: successive_halving, eta: 3, bracket: 4, iterations: {}, {}}}", 4 * scale, mc), true},
      {"ASHA promotion", fmt::format("{{type: asha, eta: 3, mode: promotion, max_trials: {}, {}}}", trials * scale, mc)},
      {"ASHA stopping", fmt::format("{{type: asha, eta: 3, mode: stopping, max_trials: {}, {}}}", trials * scale, mc)},
      {"async Hyperband (promotion)",
       fmt::format("{{type: async_hyperband, eta: 3, mode: promotion, max_trials: {}, {}}}", trials * scale, mc)},
  };
  if (print_campaign) {
    fmt::print("{}", rungs::bench::simulated_campaign_yaml("utilization", rungs::bench::kEpochLadder, methods.front().scheduler, "random", 0));
    return 0;
  }

  const auto started = Clock::now();
  std::random_device entropy;
  const fs::path root = rungs::bench::scratch_base() / fmt::format("rungs-bench-util-{}", entropy());
  fmt::print("workers {}, cost_spread {}, epoch_seconds {}, seeds 0..{}, budget epochs 1..81 eta 3; Hyperband {} "
             "iterations, SH {} iterations, asynchronous max_trials {}\n\n",
             workers, cost_spread, epoch_seconds, seeds - 1, 2 * scale, 4 * scale, trials * scale);
  fmt::print("| scheduler | trials | runs | busy worker-h | makespan (virtual h) | utilization, whole makespan | to last launch |\n");
  fmt::print("|---|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& method : methods) {
    Stat n_trials, n_runs, makespan, busy, whole, to_last;
    for (std::size_t seed = 0; seed < seeds; ++seed) {
      const auto spec = campaign::parse_campaign(rungs::bench::simulated_campaign_yaml("utilization", rungs::bench::kEpochLadder, method.scheduler, "random", seed), "utilization.yaml", root);
      auto scheduler = build_scheduler(spec, method);
      const fs::path out = root / fmt::format("s{}", seed);
      fs::create_directories(out);
      const campaign::SimulationOptions options{.seed = seed, .epoch_seconds = epoch_seconds, .cost_spread = cost_spread,
                                                .noise = 0.01, .workers = workers};
      const auto summary = campaign::run_simulation(spec, *scheduler, options, out);
      n_trials.add(static_cast<double>(summary.trials));
      n_runs.add(static_cast<double>(summary.runs));
      makespan.add(summary.makespan / 3600);
      whole.add(summary.utilization);
      busy.add(summary.busy_seconds / 3600);
      to_last.add(utilization_to_last_launch(out, summary.workers));
      std::error_code ignored;
      fs::remove_all(out, ignored);
    }
    fmt::print("| {} | {:.0f} | {:.0f} | {:.0f} | {:.1f} ± {:.1f} | **{:.1f}% ± {:.1f}** | {:.1f}% ± {:.1f} |\n",
               method.label, n_trials.mean(), n_runs.mean(), busy.mean(), makespan.mean(), makespan.se(),
               100 * whole.mean(), 100 * whole.se(), 100 * to_last.mean(), 100 * to_last.se());
    std::fflush(stdout);
  }
  std::error_code ignored;
  fs::remove_all(root, ignored);
  fmt::print("\n(mean ± standard error over {} seeds; {:.1f} s wall)\n", seeds,
             std::chrono::duration<double>(Clock::now() - started).count());
  return 0;
}
