// bench-anytime-regret: best value found so far against virtual wall-clock time, per method,
// with and without early-stopping rules, on dry runs (campaign/simulation.hpp: the real
// campaign loop, scheduler and optimizer; trials simulated on a virtual clock by the synthetic
// model: curves that cross, lognormal-ish per-configuration epoch cost).
//
// Campaign (built here; --print-campaign shows it): small mixed space (categorical optimizer,
// log-float lr, conditional momentum/beta1, log-int hidden), budget epochs 1..81 (continued),
// eta 3, metric loss (min), noise 0.01 per report, epoch_seconds 60, cost_spread 0.5,
// --workers (8) virtual workers. Methods, sized (x --size) so that without a stopping rule the
// workers stay busy past --hours (a rule makes runs shorter, so some rule variants run out of work
// before --hours: counted in "ended early"):
//   random search   Hyperband on a one-level ladder (epochs 81..81): every trial 81 epochs; 48 trials
//   SH              synchronous successive halving, bracket 4, 16 iterations
//   Hyperband       synchronous Hyperband, 3 iterations (143 trials each)
//   ASHA            asha, promotion, max_trials 1000
//   BOHB            Hyperband + tpe, 3 iterations
//   async BOHB      asha (promotion) + tpe, max_trials 800
// each as is, with stopping_rule {type: median} and with {type: extrapolation} (defaults).
//
// What is counted:
//  - Best so far at time t: the lowest loss reported at epoch 81 (the top budget) at or before
//    virtual time t, as the campaign sees it (the synthetic model's value plus report noise).
//    Lower is better. The landscape's exact optimum is not known (its minimum is 0.05 only
//    where no valley interferes), so the table reports best values, not regret; the last
//    column is the gap to the best value seen by any method (any variant) at --hours for that
//    seed: an estimated regret, mean over seeds.
//  - Checkpoints 50%, 75%, 100% of --hours virtual hours (from the first launch). A campaign
//    whose work ends before --hours keeps its last best; such cases are counted ("ended early").
//  - Epochs: rows of the reports view (one report per epoch trained; a promoted run resumes and
//    reports only the epochs it adds). The "stopping rules" table compares whole campaigns (not
//    truncated) of the same schedule/trial count with and without a rule: epochs saved =
//    1 - epochs(rule) / epochs(none), paired per seed; best-value change = final best(rule) -
//    final best(none), paired per seed (positive = the rule lost quality).
// Mean ± standard error (sd / sqrt(seeds)) over seeds 0..--seeds-1 (the seed drives the
// landscape, costs, noise and the scheduler/optimizer seed).
//
//   build/bin/bench-anytime-regret [--seeds 20] [--workers 8] [--hours 4] [--size 1]
//       [--methods rs,sh,hb,asha,bohb,async-bohb] [--print-campaign]
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
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench/sample_stats.hpp"
#include "bench/simulated_campaign.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"

namespace fs = std::filesystem;
using namespace rungs;
using Clock = std::chrono::steady_clock;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
const double kCheckpoints[] = {0.5, 0.75, 1.0};  // a first epoch-81 report takes >= 81 epochs (1.35 h)

const char* kLadder = rungs::bench::kEpochLadder;
const char* kTopOnly = "{min: 81, max: 81, dimensions: {epochs: {type: int, growth: continued, min: 81, max: 81}}}";

struct Method {
  std::string key, label, budget, scheduler_head, optimizer;  // scheduler_head: YAML mapping body
};

std::vector<Method> all_methods(std::size_t size, std::size_t workers) {
  const auto mc = fmt::format("max_concurrent: {}", workers);
  return {
      {"rs", "random search", kTopOnly, fmt::format("type: hyperband, iterations: {}, {}", 48 * size, mc), "random"},
      {"sh", "SH", kLadder, fmt::format("type: successive_halving, eta: 3, bracket: 4, iterations: {}, {}", 16 * size, mc),
       "random"},
      {"hb", "Hyperband", kLadder, fmt::format("type: hyperband, eta: 3, iterations: {}, {}", 3 * size, mc), "random"},
      {"asha", "ASHA", kLadder, fmt::format("type: asha, eta: 3, mode: promotion, max_trials: {}, {}", 1000 * size, mc),
       "random"},
      {"bohb", "BOHB", kLadder, fmt::format("type: hyperband, eta: 3, iterations: {}, {}", 3 * size, mc), "tpe"},
      {"async-bohb", "async BOHB", kLadder,
       fmt::format("type: asha, eta: 3, mode: promotion, max_trials: {}, {}", 800 * size, mc), "tpe"},
  };
}

const std::vector<std::pair<std::string, std::string>> kRules = {
    {"", ""}, {"median", ", stopping_rule: {type: median}"}, {"extrapolation", ", stopping_rule: {type: extrapolation}"}};

struct Run {
  std::vector<double> best_at;  // per checkpoint
  double final_best = kInf;     // whole campaign
  double epochs = 0;            // whole campaign
  double makespan = 0;
  bool ended_early = false;
};

Run measure(const fs::path& dir, double horizon, double makespan) {
  std::vector<std::pair<double, double>> top;  // (time, loss) of epoch-81 reports
  Run run;
  for (const auto& report : store::CampaignStore::open(dir, /*read_only=*/true).reports()) {
    run.epochs += 1;
    if (report.step && *report.step >= 81 && report.value) top.emplace_back(report.time, *report.value);
  }
  for (const double c : kCheckpoints) {
    double best = kInf;
    for (const auto& [t, v] : top)
      if (t <= c * horizon) best = std::min(best, v);
    run.best_at.push_back(best);
  }
  for (const auto& [t, v] : top) run.final_best = std::min(run.final_best, v);
  run.makespan = makespan;
  run.ended_early = makespan < horizon;
  return run;
}

struct Stat : rungs::bench::SampleStats {
  std::size_t finite() const {
    return static_cast<std::size_t>(std::count_if(xs.begin(), xs.end(), [](double x) { return std::isfinite(x); }));
  }
  std::string pm(int digits = 3) const {
    if (finite() < xs.size()) return fmt::format("n/a ({} of {} none yet)", xs.size() - finite(), xs.size());
    return fmt::format("{:.{}f} ± {:.{}f}", mean(), digits, se(), digits);
  }
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t seeds = 20, workers = 8, size = 1;
  double hours = 4;
  std::string method_list = "rs,sh,hb,asha,bohb,async-bohb";
  bool print_campaign = false;
  CLI::App app{"Anytime best value vs virtual time per method, with and without stopping rules"};
  app.add_option("--seeds", seeds, "seeds 0..N-1")->check(CLI::PositiveNumber);
  app.add_option("--workers", workers, "virtual workers")->check(CLI::PositiveNumber);
  app.add_option("--hours", hours, "virtual wall-clock budget of the anytime table (hours)")->check(CLI::PositiveNumber);
  app.add_option("--size", size, "multiply every method's iterations / max_trials")->check(CLI::PositiveNumber);
  app.add_option("--methods", method_list, "comma-separated: rs, sh, hb, asha, bohb, async-bohb");
  app.add_flag("--print-campaign", print_campaign, "print the campaign YAML (Hyperband) and exit");
  CLI11_PARSE(app, argc, argv);

  std::vector<Method> methods;
  for (const auto& key : split(method_list)) {
    bool found = false;
    for (const auto& m : all_methods(size, workers))
      if (m.key == key) methods.push_back(m), found = true;
    if (!found) {
      fmt::print(stderr, "unknown method '{}'\n", key);
      return 2;
    }
  }
  if (print_campaign) {
    const auto& m = all_methods(size, workers)[2];
    fmt::print("{}", rungs::bench::simulated_campaign_yaml("anytime", m.budget, "{" + m.scheduler_head + "}", m.optimizer, 0));
    return 0;
  }

  const auto started = Clock::now();
  std::random_device entropy;
  const fs::path root = rungs::bench::scratch_base() / fmt::format("rungs-bench-anytime-{}", entropy());
  const double horizon = hours * 3600;

  // results[method][rule][seed]
  std::vector<std::vector<std::vector<Run>>> results(methods.size(), std::vector<std::vector<Run>>(kRules.size()));
  for (std::size_t m = 0; m < methods.size(); ++m)
    for (std::size_t r = 0; r < kRules.size(); ++r)
      for (std::size_t seed = 0; seed < seeds; ++seed) {
        const auto& method = methods[m];
        const auto text = rungs::bench::simulated_campaign_yaml("anytime", method.budget, "{" + method.scheduler_head + kRules[r].second + "}",
                                        method.optimizer, seed);
        const auto spec = campaign::parse_campaign(text, "anytime.yaml", root);
        auto scheduler = campaign::make_scheduler(spec);
        const fs::path out = root / "run";
        std::error_code ignored;
        fs::remove_all(out, ignored);
        fs::create_directories(out);
        const campaign::SimulationOptions options{.seed = seed, .epoch_seconds = 60, .cost_spread = 0.5,
                                                  .noise = 0.01, .workers = workers};
        const auto summary = campaign::run_simulation(spec, *scheduler, options, out);
        results[m][r].push_back(measure(out, horizon, summary.makespan));
        fmt::print(stderr, "\r{} {} seed {}: {} trials   ", method.label, kRules[r].first.empty() ? "none" : kRules[r].first,
                   seed, summary.trials);
        fs::remove_all(out, ignored);
      }
  std::error_code ignored;
  fs::remove_all(root, ignored);

  // Estimated optimum per seed: the best value any variant saw within the horizon.
  std::vector<double> best_seen(seeds, kInf);
  for (const auto& per_method : results)
    for (const auto& per_rule : per_method)
      for (std::size_t s = 0; s < seeds; ++s) best_seen[s] = std::min(best_seen[s], per_rule[s].best_at.back());

  fmt::print("{} workers, {} virtual hours, {} seeds; best loss reported at epoch 81 so far (lower is better)\n\n",
             workers, hours, seeds);
  fmt::print("| method | stopping rule | best @ {:g} h (50%) | best @ {:g} h (75%) | best @ {:g} h (100%) | gap to best seen @ 100% | ended early |\n",
             0.5 * hours, 0.75 * hours, hours);
  fmt::print("|---|---|---:|---:|---:|---:|---:|\n");
  for (std::size_t m = 0; m < methods.size(); ++m)
    for (std::size_t r = 0; r < kRules.size(); ++r) {
      const auto& runs = results[m][r];
      std::vector<Stat> at(std::size(kCheckpoints));
      Stat gap;
      std::size_t early = 0;
      for (std::size_t s = 0; s < seeds; ++s) {
        for (std::size_t c = 0; c < at.size(); ++c) at[c].add(runs[s].best_at[c]);
        gap.add(runs[s].best_at.back() - best_seen[s]);
        early += runs[s].ended_early;
      }
      fmt::print("| {} | {} | {} | {} | {} | {} | {} |\n", methods[m].label, kRules[r].first.empty() ? "none" : kRules[r].first,
                 at[0].pm(), at[1].pm(), at[2].pm(), gap.pm(), early);
    }

  fmt::print("\nStopping rules on whole campaigns (same schedule / trial count; paired per seed):\n\n");
  fmt::print("| method | rule | epochs (none) | epochs (rule) | epochs saved | makespan h (none → rule) | final best (none) | final best (rule) | best change (rule - none) |\n");
  fmt::print("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t m = 0; m < methods.size(); ++m)
    for (std::size_t r = 1; r < kRules.size(); ++r) {
      Stat e0, e1, saved, mk0, mk1, b0, b1, diff;
      for (std::size_t s = 0; s < seeds; ++s) {
        const auto& none = results[m][0][s];
        const auto& rule = results[m][r][s];
        e0.add(none.epochs);
        e1.add(rule.epochs);
        saved.add(1 - rule.epochs / none.epochs);
        mk0.add(none.makespan / 3600);
        mk1.add(rule.makespan / 3600);
        b0.add(none.final_best);
        b1.add(rule.final_best);
        diff.add(rule.final_best - none.final_best);
      }
      fmt::print("| {} | {} | {:.0f} | {:.0f} | {:.1f}% ± {:.1f} | {:.1f} → {:.1f} | {} | {} | {} |\n", methods[m].label,
                 kRules[r].first, e0.mean(), e1.mean(), 100 * saved.mean(), 100 * saved.se(), mk0.mean(), mk1.mean(),
                 b0.pm(), b1.pm(), diff.pm(4));
    }
  fmt::print("\n(mean ± standard error over {} seeds; {:.1f} s wall)\n", seeds,
             std::chrono::duration<double>(Clock::now() - started).count());
  return 0;
}
