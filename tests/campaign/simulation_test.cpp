// Dry runs: the synthetic trial model, whole campaigns on the SimulatedRunner (1,000 trials in
// well under a second, identical event logs for a seed) and `rungs simulate`.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"
#include "campaign/trial_launch.hpp"
#include "runners/report_parser.hpp"
#include "test_support.hpp"
#include "tests/test_deadline.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// A simulation writes a directory per trial (params.json, stdout.log) like a real campaign:
// on a busy disk, creating 1,000 of them costs seconds, so results go to memory when it can.
class ScratchDir {
 public:
  ScratchDir() {
    std::random_device entropy;
    std::error_code ec;
    const fs::path shm = "/dev/shm";
    const fs::path base = fs::is_directory(shm, ec) && access(shm.c_str(), W_OK) == 0 ? shm : fs::temp_directory_path();
    path_ = base / ("rungs-sim-test-" + std::to_string(entropy()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// A campaign around a trainer that does not exist: simulation never needs it.
std::string campaign_text(const std::string& scheduler, const std::string& metric = "{name: val_loss, mode: min}",
                          const std::string& budget = "{min: 1, max: 81, dimensions: {epochs: {type: int, growth: "
                                                      "continued, min: 1, max: 81}}}") {
  return fmt::format(R"(name: sim
seed: 5
metric: {}
space:
  optimizer: {{type: categorical, choices: [sgd, adam]}}
  lr:        {{type: float, low: 1.0e-4, high: 1.0, log: true}}
  momentum:  {{type: float, low: 0.0, high: 0.95, when: {{optimizer: sgd}}}}
  beta1:     {{type: float, low: 0.5, high: 0.99, when: {{optimizer: adam}}}}
  hidden:    {{type: int, low: 8, high: 512, log: true}}
budget: {}
scheduler: {}
optimizer: random
trial:
  command: [no-such-trainer, --lr, "{{lr}}"]
)",
                     metric, budget, scheduler);
}

campaign::CampaignSpec spec_of(const std::string& text) {
  return campaign::parse_campaign(text, "sim.yaml", fs::temp_directory_path());
}

// R = 27: 49 trials per Hyperband iteration.
const std::string kQuickBudget = "{min: 1, max: 27, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27}}}";

// 7 Hyperband iterations of R = 81, eta = 3: 143 trials each (81 + 34 + 15 + 8 + 5).
const std::string kThousandTrials = "{type: hyperband, eta: 3, iterations: 7, max_concurrent: 8}";

campaign::SimulationSummary simulate(const campaign::CampaignSpec& spec, const fs::path& output,
                                     campaign::SimulationOptions options = {}) {
  auto scheduler = campaign::make_scheduler(spec);
  return campaign::run_simulation(spec, *scheduler, options, output);
}

// The launch the campaign loop would make for trial 1 with `config` at `level`, resumed from
// the level `resume_from` if given.
runners::LaunchSpec launch_of(const campaign::CampaignSpec& spec, const fs::path& dir, space::Config config,
                              std::size_t level, std::optional<std::size_t> resume_from = std::nullopt) {
  scheduler::Job job;
  job.trial = 1;
  job.config = std::move(config);
  job.budget = spec.ladder.at(level);
  if (resume_from) job.resume_from = spec.ladder.at(*resume_from);
  return campaign::prepare_launch(spec, job, dir / "trial");
}

// (step, value) of every report line of a script.
std::vector<std::pair<long, double>> reports_of(const runners::SimulatedTrial& trial, const std::string& metric) {
  std::vector<std::pair<long, double>> out;
  runners::ReportParser parser;
  for (const auto& [time, line] : trial.lines) {
    const auto parsed = parser.parse(line);
    const auto* report = std::get_if<runners::Report>(&parsed);
    REQUIRE(report != nullptr);
    out.emplace_back(static_cast<long>(report->step.value()), report->metrics.at(metric));
  }
  return out;
}

}  // namespace

TEST_CASE("synthetic trials: one tagged report per epoch, cost per epoch, resume pays the increment") {
  ScratchDir dir;
  const auto spec = spec_of(campaign_text(kThousandTrials));
  const auto model = campaign::synthetic_trials(spec, {.seed = 3, .epoch_seconds = 10, .cost_spread = 0.5, .noise = 0});
  std::mt19937_64 rng(1);
  const auto config = spec.space.sample(rng);

  const auto fresh = model(launch_of(spec, dir.path(), config, 2));  // 9 epochs
  const auto reports = reports_of(fresh, "val_loss");
  REQUIRE(reports.size() == 9);
  const double epoch_cost = fresh.exit_after / 9;
  CHECK(epoch_cost > 0);
  for (std::size_t e = 0; e < 9; ++e) {
    CHECK(reports[e].first == static_cast<long>(e + 1));
    CHECK(fresh.lines[e].first == doctest::Approx(epoch_cost * static_cast<double>(e + 1)));
    CHECK(reports[e].second > 0);
    CHECK(reports[e].second < 1);
    if (e > 0) CHECK(reports[e].second <= reports[e - 1].second);  // no noise: monotone curve
  }
  CHECK(runners::succeeded(fresh.outcome));
  CHECK(model(launch_of(spec, dir.path(), config, 2)).lines == fresh.lines);  // a pure function

  // Promoted from level 2 (9 epochs) to level 3 (27): epochs 10..27, the same curve.
  const auto resumed = model(launch_of(spec, dir.path(), config, 3, /*resume_from=*/2));
  const auto more = reports_of(resumed, "val_loss");
  REQUIRE(more.size() == 18);
  CHECK(more.front().first == 10);
  CHECK(more.front().second <= reports.back().second);
  CHECK(resumed.exit_after == doctest::Approx(18 * epoch_cost));

  // Continued from level 1 (3 epochs) straight to level 3, as freeze-thaw's leaps do: epochs 4..27.
  const auto leap = reports_of(model(launch_of(spec, dir.path(), config, 3, /*resume_from=*/1)), "val_loss");
  REQUIRE(leap.size() == 24);
  CHECK(leap.front().first == 4);
}

TEST_CASE("synthetic trials: fixed dimensions scale the cost, without a continued one there is one report") {
  ScratchDir dir;
  const auto fractions = spec_of(campaign_text(
      kThousandTrials, "{name: val_loss, mode: min}",
      "{min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 9}, "
      "data_fraction: {values: [0.25, 0.5, 1.0]}}}"));
  const campaign::SimulationOptions options{.seed = 1, .epoch_seconds = 10, .cost_spread = 0.3, .noise = 0};
  const auto model = campaign::synthetic_trials(fractions, options);
  std::mt19937_64 rng(2);
  const auto config = fractions.space.sample(rng);
  const auto quarter = model(launch_of(fractions, dir.path(), config, 0));  // 1 epoch at 0.25
  const auto full = model(launch_of(fractions, dir.path(), config, 2));     // 9 epochs at 1.0
  CHECK(full.exit_after / 9 == doctest::Approx(4 * quarter.exit_after));

  const auto units_only = spec_of(campaign_text(kThousandTrials, "{name: val_loss, mode: min}",
                                                "{min: 1, max: 9}"));
  const auto single = campaign::synthetic_trials(units_only, options);
  const auto low = single(launch_of(units_only, dir.path(), config, 0));
  const auto high = single(launch_of(units_only, dir.path(), config, 2));
  REQUIRE(low.lines.size() == 1);
  REQUIRE(high.lines.size() == 1);
  CHECK(high.exit_after == doctest::Approx(9 * low.exit_after));
  CHECK(low.lines[0].first == low.exit_after);
  CHECK(reports_of(high, "val_loss")[0].second < reports_of(low, "val_loss")[0].second);
}

TEST_CASE("synthetic trials: curves cross, seeds change the landscape, bad options throw") {
  ScratchDir dir;
  const auto spec = spec_of(campaign_text(kThousandTrials));
  const campaign::SimulationOptions options{.seed = 7, .epoch_seconds = 1, .cost_spread = 0, .noise = 0};
  const auto model = campaign::synthetic_trials(spec, options);
  std::mt19937_64 rng(3);
  std::vector<double> first, last;
  std::vector<double> costs;
  for (int i = 0; i < 40; ++i) {
    const auto trial = reports_of(model(launch_of(spec, dir.path(), spec.space.sample(rng), 4)), "val_loss");
    first.push_back(trial.front().second);
    last.push_back(trial.back().second);
  }
  int crossings = 0;
  for (std::size_t a = 0; a < first.size(); ++a)
    for (std::size_t b = 0; b < first.size(); ++b)
      crossings += first[a] < first[b] && last[a] > last[b];
  CHECK(crossings > 0);
  CHECK(*std::min_element(last.begin(), last.end()) < 0.5);  // a spread of final values
  CHECK(*std::max_element(last.begin(), last.end()) > 0.5);

  auto other_seed = options;
  other_seed.seed = 8;
  const auto launch = launch_of(spec, dir.path(), spec.space.sample(rng), 1);
  CHECK(campaign::synthetic_trials(spec, other_seed)(launch).lines != model(launch).lines);

  CHECK_THROWS_AS(campaign::synthetic_trials(spec, {.epoch_seconds = 0}), std::invalid_argument);
  CHECK_THROWS_AS(campaign::synthetic_trials(spec, {.cost_spread = -1}), std::invalid_argument);
  CHECK_THROWS_AS(campaign::synthetic_trials(spec, {.noise = NAN}), std::invalid_argument);
  runners::LaunchSpec broken;
  CHECK_THROWS(model(broken));  // the runner turns this into a launch failure
}

TEST_CASE("a 1,000-trial Hyperband campaign simulates in well under a few seconds") {
  ScratchDir dir;
  const auto spec = spec_of(campaign_text(kThousandTrials));
  const auto started = std::chrono::steady_clock::now();
  const auto summary = simulate(spec, dir.path(), {.seed = 1, .epoch_seconds = 60});
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MESSAGE(fmt::format("{} trials, {} runs, {} events in {:.3f} s (virtual makespan {:.1f} h, utilization {:.1f}%)",
                      summary.trials, summary.runs, summary.events, wall, summary.makespan / 3600,
                      100 * summary.utilization));
  // About 0.3 s on an idle 2-core machine; measured in bench/, not asserted: load would fail it.

  CHECK(summary.trials == 1001);
  CHECK(summary.workers == 8);
  CHECK_FALSE(summary.outcome.interrupted);
  CHECK(summary.outcome.totals.failed == 0);
  REQUIRE(summary.outcome.best.has_value());
  CHECK(summary.outcome.best->level == spec.ladder.levels() - 1);
  CHECK(summary.makespan > 0);
  CHECK(summary.utilization > 0.3);
  CHECK(summary.utilization <= 1.0 + 1e-12);
  CHECK(summary.busy_seconds == doctest::Approx(summary.utilization * 8 * summary.makespan));

  const auto runs = read_table(dir.path(), "runs");
  CHECK(runs.size() == summary.runs);
  CHECK(read_table(dir.path(), "trials").size() == 1001);
  double busy = 0;
  for (const auto& run : runs) busy += run["seconds"].get<double>();
  CHECK(busy == doctest::Approx(summary.busy_seconds));

  // Reports come in virtual-time order; a resumed run starts after the epochs of the level below.
  const auto reports = read_table(dir.path(), "reports");
  std::map<std::pair<int, int>, long> first_step;  // (trial, run) -> first step
  double previous = 0;
  bool ordered = true;
  for (const auto& row : reports) {
    ordered &= row["time"].get<double>() >= previous;
    previous = row["time"].get<double>();
    first_step.emplace(std::pair{row["trial"].get<int>(), row["run"].get<int>()}, row["step"].get<long>());
  }
  CHECK(ordered);
  CHECK(previous <= summary.makespan);
  std::size_t resumed = 0;
  for (const auto& run : runs) {
    if (!run["resumed"].get<int>()) continue;
    ++resumed;
    const auto level = run["level"].get<std::size_t>();
    const long below = std::lround(spec.ladder.at(level - 1).values.at("epochs"));
    CHECK(first_step.at({run["trial"].get<int>(), run["run"].get<int>()}) == below + 1);
  }
  CHECK(resumed > 100);
}

TEST_CASE("simulations are deterministic: same seed, identical event logs, another seed differs") {
  const auto spec = spec_of(campaign_text("{type: hyperband, eta: 3, iterations: 1, max_concurrent: 4}",
                                          "{name: val_loss, mode: min}", kQuickBudget));
  ScratchDir a, b, c;
  const auto first = simulate(spec, a.path(), {.seed = 11});
  const auto second = simulate(spec, b.path(), {.seed = 11});
  const auto other = simulate(spec, c.path(), {.seed = 12});
  CHECK(!read_table(a.path(), "reports").empty());
  CHECK(event_log(a.path()) == event_log(b.path()));
  CHECK(read_table(a.path(), "trials") == read_table(b.path(), "trials"));
  CHECK(event_log(a.path()) != event_log(c.path()));
  REQUIRE(first.outcome.best.has_value());
  REQUIRE(second.outcome.best.has_value());
  CHECK(first.outcome.best->trial == second.outcome.best->trial);
  CHECK(first.outcome.best->value == second.outcome.best->value);
  CHECK(first.makespan == second.makespan);
  CHECK(first.busy_seconds == second.busy_seconds);
  CHECK(other.makespan != first.makespan);
}

TEST_CASE("simulation runs ASHA and maximized metrics, workers override max_concurrent") {
  const auto spec = spec_of(campaign_text("{type: asha, eta: 3, max_trials: 120, max_concurrent: 2}",
                                          "{name: val_acc, mode: max}"));
  ScratchDir a, b;
  const auto summary = simulate(spec, a.path(), {.seed = 2, .workers = 16});
  CHECK(summary.workers == 16);
  CHECK(summary.trials == 120);
  CHECK(summary.outcome.totals.failed == 0);
  CHECK(summary.utilization > 0.5);  // asynchronous: workers rarely wait
  REQUIRE(summary.outcome.best.has_value());
  const auto level = summary.outcome.best->level;
  CHECK(level > 0);
  double best_there = 0;
  for (const auto& run : read_table(a.path(), "runs")) {
    if (run["level"] == level && !run["value"].is_null() && !run["stopped_by_scheduler"].get<int>())
      best_there = std::max(best_there, run["value"].get<double>());
  }
  CHECK(summary.outcome.best->value == best_there);  // maximized: the largest accuracy wins
  CHECK(best_there > 0.5);
  CHECK(best_there <= 1);
  // Determinism holds for asynchronous schedulers too.
  simulate(spec, b.path(), {.seed = 2, .workers = 16});
  CHECK(event_log(a.path()) == event_log(b.path()));
}

TEST_CASE("simulated timeouts are failures like real ones") {
  ScratchDir dir;
  const auto spec = spec_of(campaign_text("{type: successive_halving, eta: 3, max_concurrent: 3}",
                                          "{name: val_loss, mode: min}", kQuickBudget) +
                            "  timeout: 100s\n");
  const auto summary = simulate(spec, dir.path(), {.seed = 4, .epoch_seconds = 10, .cost_spread = 0});
  // 10 s per epoch and a 100 s limit: every run of more than 10 epochs times out.
  CHECK(summary.timeouts > 0);
  for (const auto& run : read_table(dir.path(), "runs")) {
    const auto level = run["level"].get<std::size_t>();
    const double below = run["resumed"].get<int>() ? spec.ladder.at(level - 1).values.at("epochs") : 0;
    const bool long_run = run["budget"]["epochs"].get<double>() - below > 10;
    CHECK(run["failure"].is_null() != long_run);
  }
}

TEST_CASE("rungs simulate dry-runs the quickstart campaign without its trainer") {
  ScratchDir dir;
  const std::string campaign = std::string(RUNGS_SOURCE_DIR) + "/examples/01_quickstart/campaign.yaml";
  const int code = run_rungs({"simulate", campaign, "--output", "out", "--epoch-seconds", "1", "--workers", "4", "-q"},
                             dir.path() / "log", dir.path());
  const auto log = read_file(dir.path() / "log");
  CAPTURE(log);
  CHECK(code == 0);
  CHECK(log.find("Best configuration") != std::string::npos);
  CHECK(log.find("on 4 virtual workers") != std::string::npos);
  CHECK(log.find("worker utilization") != std::string::npos);
  CHECK(log.find("wall time") != std::string::npos);
  for (const char* file : {"campaign.yaml", "best.json", "rungs.db"})
    CHECK(fs::exists(dir.path() / "out" / file));

  // The same seed again, to another directory: the same results.
  CHECK(run_rungs({"simulate", campaign, "-o", "again", "--epoch-seconds", "1", "--workers", "4", "-q"},
                  dir.path() / "log2", dir.path()) == 0);
  CHECK(event_log(dir.path() / "out") == event_log(dir.path() / "again"));
  // A used output directory and bad flags are configuration errors.
  CHECK(run_rungs({"simulate", campaign, "-o", "out", "-q"}, dir.path() / "log3", dir.path()) == 2);
  CHECK(run_rungs({"simulate", campaign, "--workers", "0"}, dir.path() / "log4", dir.path()) == 2);
  CHECK(run_rungs({"simulate", campaign, "--epoch-seconds", "-1"}, dir.path() / "log5", dir.path()) == 2);
}

// A progress tick due at every turn of the event loop is as good as always queued when the
// last run ends: cancelling the ticker then misses it, and a tick that re-armed itself kept
// the loop (and `rungs run`) alive forever after the campaign.
TEST_CASE("the campaign loop ends even when a progress tick is queued as the last run ends") {
  const auto spec = spec_of(campaign_text("{type: hyperband, eta: 3, iterations: 1, max_concurrent: 4}",
                                          "{name: val_loss, mode: min}", kQuickBudget));
  for (int round = 0; round < 5; ++round) {
    ScratchDir dir;
    auto scheduler = campaign::make_scheduler(spec);
    boost::asio::io_context io;
    runners::SimulatedRunner runner(io, campaign::synthetic_trials(spec, {.seed = 3}), {.workers = 4});
    auto store = campaign::create_campaign_directory(spec, dir.path(), "simulate", nlohmann::json::object());
    campaign::LoopOptions options;
    options.output = dir.path();
    options.handle_signals = false;
    options.clock = [&runner] { return runner.now(); };
    options.progress_interval = std::chrono::milliseconds(0);
    auto done = std::async(std::launch::async, [&] { return campaign::run_campaign(spec, *scheduler, runner, io, store, options); });
    const bool ended = done.wait_for(rungs::testing::deadline(std::chrono::seconds(20))) == std::future_status::ready;
    if (!ended) io.stop();  // let the thread return so the test can report
    REQUIRE(ended);
    CHECK(done.get().best.has_value());
  }
}
