// bench-budget-dimensions: at equal total cost, Hyperband with epochs-only budgets against
// budgets in three dimensions (epochs x data fraction x image resolution), on dry runs
// (campaign/simulation.hpp: the real campaign loop, scheduler and optimizer; trials simulated
// on a virtual clock).
//
// Problem: the simulator's synthetic landscape over 6 continuous parameters in [0, 1]
// (minimum 0.05, reached at the bowl's centre). Low fidelity is informative by construction:
// a smaller data fraction or resolution shifts every configuration's value by the same
// monotone map (f' = f + 0.25 (1 - r)(1 - f), r = product of value / top), so it keeps the
// ranking; fewer epochs do not, because learning curves cross (problems/learning_curve.hpp).
// Virtual time follows the cost model: epoch_seconds x (cost of the level / cost of the top)
// per full run, a lognormal-ish per-configuration factor (--cost-spread) and noise --noise.
//
// Ladders (R = 27, eta = 3, product cost with the top level = 27 full-size epochs):
//   epochs          epochs 1, 3, 9, 27                                     costs 1, 3, 9, 27
//   epochs+fr+res   epochs 1, 3, 9, 27 x fraction 0.25, 0.5, 1, 1 (warm start)
//                   x resolution 7, 14, 28, 28 px (cost_power 2, rerun)    costs 0.016, 0.375, 9, 27
//   longer-low      epochs 9, 13, 19, 27 x fraction 0.25, 0.4, 0.63, 1 (warm start)
//                   x resolution 7, 14, 14, 28 px (cost_power 2, rerun)    costs 0.14, 1.29, 3.0, 27
// Brackets are sized by cost (scheduler/hyperband_schedule.hpp), so the cheap low rungs of the
// last two start more configurations per bracket (51 and 57 instead of 27 in s = 3).
//
// Equal total cost: every campaign stops launching once the charged cost
// (fidelity::run_cost: increments for resumed epochs, whole runs for reruns) reaches --cost
// (default 1296 = 3 Hyperband iterations of 16 full runs); the overshoot is at most the runs
// launched before the cap was seen. Reported per ladder and optimizer, mean ± standard error
// over --seeds seeds:
//   regret    f(incumbent) - 0.05, the incumbent being the best result at the highest level
//             reached (the campaign's own `best`), f its noise-free value at the full budget
//   hours     virtual makespan with --workers workers
//   trials, runs, cost charged; real seconds for the whole benchmark row.
//
//   build/bin/bench-budget-dimensions [--seeds 20] [--workers 4] [--cost 1296]
//       [--epoch-seconds 60] [--cost-spread 0.5] [--noise 0.01]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "bench/sample_stats.hpp"
#include "bench/simulated_campaign.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"
#include "campaign/trial_launch.hpp"
#include "fidelity/run_cost.hpp"

namespace fs = std::filesystem;
using namespace rungs;

namespace {

struct Ladder {
  std::string name;
  std::string yaml;
};

const std::vector<Ladder> kLadders = {
    {"epochs", "{min: 1, max: 27, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27}}}"},
    {"epochs+fr+res",
     "{min: 1, max: 27, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27}, "
     "data_fraction: {values: [0.25, 0.5, 1, 1], on_change: warm_start}, "
     "resolution: {type: int, values: [7, 14, 28, 28], cost_power: 2}}}"},
    {"longer-low",
     "{min: 1, max: 27, dimensions: {epochs: {type: int, growth: continued, min: 9, max: 27}, "
     "data_fraction: {min: 0.25, max: 1, on_change: warm_start}, "
     "resolution: {type: int, values: [7, 14, 14, 28], cost_power: 2}}}"},
};

std::string campaign_yaml(const std::string& budget, const std::string& optimizer, std::uint64_t seed) {
  return fmt::format(R"(name: dimensions
seed: {}
metric: {{name: loss, mode: min}}
space:
  x1: {{type: float, low: 0, high: 1}}
  x2: {{type: float, low: 0, high: 1}}
  x3: {{type: float, low: 0, high: 1}}
  x4: {{type: float, low: 0, high: 1}}
  x5: {{type: float, low: 0, high: 1}}
  x6: {{type: float, low: 0, high: 1}}
budget: {}
scheduler: {{type: hyperband, eta: 3, iterations: 50, max_concurrent: 4}}
optimizer: {}
trial:
  command: [no-such-trainer]
)",
                     seed, budget, optimizer);
}

// Stops handing out runs once the charged cost reaches the cap; finished when nothing is out.
class CostCap : public scheduler::Scheduler {
 public:
  CostCap(scheduler::Scheduler& inner, const fidelity::BudgetLadder& ladder, double cap)
      : inner_(inner), ladder_(ladder), cap_(cap) {}
  std::optional<scheduler::Job> next() override {
    if (charged_ >= cap_) return std::nullopt;
    auto job = inner_.next();
    if (job) {
      charged_ += fidelity::run_cost(ladder_, job->budget, job->resume_from);
      out_.insert(job->trial);
      ++runs_;
    }
    return job;
  }
  scheduler::Decision on_report(scheduler::TrialId trial, const scheduler::Report& report) override {
    return inner_.on_report(trial, report);
  }
  void on_run_end(scheduler::TrialId trial, const scheduler::RunEnd& end) override {
    out_.erase(trial);
    inner_.on_run_end(trial, end);
  }
  bool finished() const override { return inner_.finished() || (charged_ >= cap_ && out_.empty()); }
  scheduler::TrialState state(scheduler::TrialId trial) const override { return inner_.state(trial); }
  double charged() const { return charged_; }
  std::size_t runs() const { return runs_; }

 private:
  scheduler::Scheduler& inner_;
  const fidelity::BudgetLadder& ladder_;
  double cap_;
  double charged_ = 0;
  std::size_t runs_ = 0;
  std::set<scheduler::TrialId> out_;
};

// The noise-free value of `config` after a full run at the top level: the landscape's f.
double true_value(const campaign::CampaignSpec& spec, campaign::SimulationOptions options, const space::Config& config) {
  options.noise = 0;
  const auto model = campaign::synthetic_trials(spec, options);
  const auto& top = spec.ladder.at(spec.ladder.levels() - 1);
  runners::LaunchSpec launch;
  launch.env = {{"RUNGS_PARAMS", campaign::to_json(config).dump()},
                {"RUNGS_BUDGET", campaign::to_json(spec.ladder, top).dump()},
                {"RUNGS_LEVEL", std::to_string(top.level)},
                {"RUNGS_RESUME", "0"},
                {"RUNGS_TRIAL_ID", "1"}};
  const auto script = model(launch);
  const std::string& line = script.lines.back().second;
  return nlohmann::json::parse(line.substr(line.find('{')))["loss"].get<double>();
}

std::uint64_t entropy() { return std::random_device{}() ^ static_cast<std::uint64_t>(getpid()); }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench-budget-dimensions: epochs-only vs multi-dimension budgets at equal cost"};
  int seeds = 20;
  double cap = 1296;
  campaign::SimulationOptions base{.seed = 0, .epoch_seconds = 60, .cost_spread = 0.5, .noise = 0.01, .workers = 4};
  app.add_option("--seeds", seeds)->check(CLI::PositiveNumber);
  app.add_option("--workers", base.workers)->check(CLI::PositiveNumber);
  app.add_option("--cost", cap, "total cost per campaign, in full-size epochs")->check(CLI::PositiveNumber);
  app.add_option("--epoch-seconds", base.epoch_seconds)->check(CLI::PositiveNumber);
  app.add_option("--cost-spread", base.cost_spread)->check(CLI::NonNegativeNumber);
  app.add_option("--noise", base.noise)->check(CLI::NonNegativeNumber);
  CLI11_PARSE(app, argc, argv);

  const fs::path root = bench::scratch_base() / fmt::format("rungs-bench-dims-{}", entropy());
  fmt::print("Equal total cost {} (full-size epochs), {} workers, {} seeds, epoch {} s, cost spread {}, noise {}\n\n",
             cap, base.workers, seeds, base.epoch_seconds, base.cost_spread, base.noise);
  fmt::print("| ladder | level costs | optimizer | trials | runs | cost charged | regret | virtual hours | real s |\n");
  fmt::print("|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& ladder : kLadders) {
    for (const std::string optimizer : {"random", "tpe"}) {
      bench::SampleStats regret, hours, trials, runs, charged;
      const auto start = std::chrono::steady_clock::now();
      std::string costs;
      for (int s = 0; s < seeds; ++s) {
        const auto seed = static_cast<std::uint64_t>(s);
        const auto spec = campaign::parse_campaign(campaign_yaml(ladder.yaml, optimizer, seed), "dimensions.yaml", root);
        if (costs.empty())
          for (const double c : spec.ladder.level_costs()) costs += fmt::format("{}{:.3g}", costs.empty() ? "" : ", ", c);
        auto inner = campaign::make_scheduler(spec);
        CostCap capped(*inner, spec.ladder, cap);
        auto options = base;
        options.seed = seed;
        const fs::path out = root / fmt::format("{}-{}-{}", ladder.name, optimizer, s);
        const auto summary = campaign::run_simulation(spec, capped, options, out);
        if (!summary.outcome.best) throw std::runtime_error("a campaign ended without a result");
        regret.add(true_value(spec, options, summary.outcome.best->config) - 0.05);
        hours.add(summary.makespan / 3600);
        trials.add(static_cast<double>(summary.trials));
        runs.add(static_cast<double>(capped.runs()));
        charged.add(capped.charged());
        std::error_code ignored;
        fs::remove_all(out, ignored);
      }
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      fmt::print("| {} | {} | {} | {:.0f} | {:.0f} | {:.0f} | {:.4f} ± {:.4f} | {:.1f} ± {:.1f} | {:.1f} |\n", ladder.name,
                 costs, optimizer, trials.mean(), runs.mean(), charged.mean(), regret.mean(), regret.se(), hours.mean(),
                 hours.se(), seconds);
      std::fflush(stdout);
    }
  }
  std::error_code ignored;
  fs::remove_all(root, ignored);
  return 0;
}
