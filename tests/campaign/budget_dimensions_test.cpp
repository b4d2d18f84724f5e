// Budgets in several dimensions, end to end: YAML (cost models, cost_power, on_change, env,
// plugin kinds) with errors at file:line:key, what reaches the trial, promotions across a
// fixed-within-run dimension, a three-dimension campaign on the simulated backend whose
// virtual time matches the charged cost, and the custom-dimension example with real processes.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>

#include <map>
#include <regex>

#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"
#include "campaign/trial_launch.hpp"
#include "fidelity/run_cost.hpp"
#include "runners/local_runner.hpp"
#include "test_support.hpp"

using namespace rungs;
namespace fs = std::filesystem;

namespace {

// epochs 1..27 (continued) x data fraction (warm start) x resolution 7..28 px (power 2, rerun).
const std::string kThreeDimensions = R"({min: 1, max: 27, dimensions: {
    epochs: {type: int, growth: continued, min: 1, max: 27},
    data_fraction: {values: [0.25, 0.5, 1, 1], on_change: warm_start},
    resolution: {type: int, values: [7, 14, 28, 28], cost_power: 2, env: IMAGE_SIDE}}})";

std::string campaign_text(const std::string& budget, const std::string& extra = "",
                          const std::string& command = R"([train, "{epochs}", "{data_fraction}", "{resolution}", "{resume}"])",
                          const std::string& scheduler = "{type: hyperband, eta: 3, max_concurrent: 4}") {
  return fmt::format(R"(name: dims
seed: 3
{}metric: {{name: loss, mode: min}}
space:
  x: {{type: float, low: 0, high: 1}}
  y: {{type: float, low: 0, high: 1}}
budget: {}
scheduler: {}
optimizer: random
trial:
  command: {}
)",
                     extra, budget, scheduler, command);
}

campaign::CampaignSpec parse(const std::string& text) { return campaign::parse_campaign(text, "c.yaml", "/campaigns"); }

// The ConfigError message of a campaign text, "" when it loads.
std::string error_of(const std::string& text) {
  try {
    parse(text);
  } catch (const campaign::ConfigError& e) {
    return e.what();
  }
  return "";
}

scheduler::Job job_at(const campaign::CampaignSpec& spec, std::size_t level, std::optional<std::size_t> from = {}) {
  scheduler::Job job;
  job.trial = 5;
  job.config = {{"x", 0.25}, {"y", 0.5}};
  job.budget = spec.ladder.at(level);
  if (from) job.resume_from = spec.ladder.at(*from);
  return job;
}

}  // namespace

TEST_CASE("budget YAML: cost models, cost_power, on_change and env") {
  const auto spec = parse(campaign_text(kThreeDimensions));
  CHECK(spec.ladder.cost_model().kind() == fidelity::CostModel::Kind::Product);  // the campaign default
  CHECK(spec.ladder.level_costs() == std::vector<double>{0.015625, 0.375, 9, 27});
  CHECK(spec.ladder.dimension("data_fraction")->warm_start);
  CHECK_FALSE(spec.ladder.dimension("resolution")->warm_start);
  CHECK(spec.ladder.dimension("resolution")->cost_power == 2);
  CHECK(fidelity::env_name(*spec.ladder.dimension("resolution")) == "IMAGE_SIDE");

  const auto units = parse(campaign_text(R"({min: 1, max: 27, cost: units, dimensions: {
      epochs: {type: int, growth: continued, min: 1, max: 27}, data_fraction: {values: [0.25, 0.5, 1, 1]}}})",
                                           "", "[train]"));
  CHECK(units.ladder.level_costs() == std::vector<double>{1, 3, 9, 27});
  const auto formula = parse(campaign_text(R"({min: 1, max: 27, cost: "epochs * data_fraction * (resolution/28)^2",
      dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27},
                   data_fraction: {values: [0.25, 0.5, 1, 1]}, resolution: {values: [7, 14, 28, 28]}}})",
                                             "", "[train]"));
  CHECK(formula.ladder.at(0).cost == doctest::Approx(0.015625));
  CHECK(formula.ladder.at(2).cost == doctest::Approx(9));
}

TEST_CASE("budget YAML: mistakes are ConfigErrors at file:line:key") {
  const auto dims = [](const std::string& extra_dim, const std::string& cost = "") {
    return "{min: 1, max: 27" + cost + ", dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27}" +
           extra_dim + "}}";
  };
  CHECK(error_of(campaign_text(dims("", ", cost: \"epochs *\""), "", "[train]")).find("budget.cost: cost formula") !=
        std::string::npos);
  CHECK(error_of(campaign_text(dims("", ", cost: \"epochs * depth\""), "", "[train]")).find("depth") != std::string::npos);
  CHECK(error_of(campaign_text(dims("", ", cost: \"30 - epochs\""), "", "[train]")).find("must not decrease") !=
        std::string::npos);
  CHECK(error_of(campaign_text(dims(", r: {values: [1, 2, 3, 4], cost_power: -1}"), "", "[train]"))
            .find("budget.dimensions.r.cost_power: must be a number >= 0") != std::string::npos);
  CHECK(error_of(campaign_text(dims(", r: {growth: continued, min: 1, max: 4, on_change: warm_start}"), "", "[train]"))
            .find("budget.dimensions.r.on_change: only a growth: fixed") != std::string::npos);
  CHECK(error_of(campaign_text(dims(", r: {values: [1, 2, 3, 4], on_change: later}"), "", "[train]"))
            .find("must be rerun") != std::string::npos);
  CHECK(error_of(campaign_text(dims(", r: {values: [1, 2, 3, 4], env: RUNGS_LEVEL}"), "", "[train]"))
            .find("budget.dimensions.r.env: 'RUNGS_LEVEL' is a variable of the trial protocol") != std::string::npos);
  CHECK(error_of(campaign_text(dims(", r: {values: [1, 2, 3, 4], env: RUNGS_BUDGET_EPOCHS}"), "", "[train]"))
            .find("also set by dimension 'epochs'") != std::string::npos);
  CHECK(error_of(campaign_text(dims(", r: {values: [1, 2, 3, 4], env: \"A-B\"}"), "", "[train]"))
            .find("not a valid environment variable name") != std::string::npos);
  CHECK(error_of(campaign_text(dims(""), "", "[train]\n  env: {RUNGS_BUDGET_EPOCHS: \"3\"}"))
            .find("trial.env.RUNGS_BUDGET_EPOCHS: 'RUNGS_BUDGET_EPOCHS': variables named RUNGS_* belong to rungs' trial "
                  "protocol") != std::string::npos);
  CHECK(error_of(campaign_text(dims(", r: {values: [1, 2, 3, 4], env: IMAGE_SIZE}"), "", "[train]\n  env: {IMAGE_SIZE: \"3\"}"))
            .find("trial.env.IMAGE_SIZE: 'IMAGE_SIZE' is set by budget dimension 'r'") != std::string::npos);
  // Locations: the line of the offending key.
  const auto located = error_of(campaign_text(dims(", r: {values: [1, 2, 3, 4], cost_power: -1}"), "", "[train]"));
  CHECK(std::regex_search(located, std::regex(R"(^c\.yaml:7:\d+: )")));
}

TEST_CASE("plugins: a kind from a plugin, its options and its errors") {
  const std::string resolution = "{min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 3, max: 27}, "
                                 "resolution: {kind: downsample, native: 8, min: 2}}}";
  const auto spec = parse(campaign_text(resolution, "plugins: [libdownsample.so]\n", "[train, \"{resolution}\"]"));
  REQUIRE(spec.plugins.size() == 1);
  CHECK(spec.plugins.front().filename() == "libdownsample.so");
  CHECK(spec.ladder.at(0).values.at("resolution") == 2);
  CHECK(spec.ladder.at(1).values.at("resolution") == 4);
  CHECK(spec.ladder.at(2).values.at("resolution") == 8);
  // 9 x epochs/27 x (resolution/8)^2: 0.0625, 0.75, 9
  CHECK(spec.ladder.at(0).cost == doctest::Approx(0.0625));
  CHECK(spec.ladder.at(1).cost == doctest::Approx(0.75));

  CHECK(error_of(campaign_text(resolution, "plugins: [libno-such-plugin.so]\n", "[train]"))
            .find("c.yaml:3:11: plugins[0]: plugin 'libno-such-plugin.so' not found") != std::string::npos);
  const auto with_plugin = [&](const std::string& dim) {
    return error_of(campaign_text("{min: 1, max: 9, dimensions: {resolution: " + dim + "}}",
                                  "plugins: [libdownsample.so]\n", "[train]"));
  };
  CHECK(with_plugin("{kind: upsample}").find("budget.dimensions.resolution.kind: unknown dimension kind 'upsample' "
                                             "(registered: downsample") != std::string::npos);
  CHECK(with_plugin("{kind: downsample, native: 8, min: 3}").find("budget.dimensions.resolution.min: min (3) must divide "
                                                                  "native (8)") != std::string::npos);
  CHECK(with_plugin("{kind: downsample, min: 2}").find("budget.dimensions.resolution: missing option 'native'") !=
        std::string::npos);
  CHECK(with_plugin("{kind: downsample, native: 8, min: 2, nativ: 4}")
            .find("budget.dimensions.resolution.nativ: 'nativ' is not an option of dimension kind 'downsample' "
                  "(options: native, min, cost_power, warm_start; and env)") != std::string::npos);
}

TEST_CASE("launch: every dimension reaches the trial as placeholder, RUNGS_BUDGET and its own variable") {
  testing::TempDir dir;
  const auto spec = parse(campaign_text(kThreeDimensions));
  const auto launch = campaign::prepare_launch(spec, job_at(spec, 1), dir.path() / "trials/0005");
  CHECK(launch.argv == std::vector<std::string>{"train", "3", "0.5", "14", "0"});
  CHECK(launch.env.at("RUNGS_BUDGET_EPOCHS") == "3");
  CHECK(launch.env.at("RUNGS_BUDGET_DATA_FRACTION") == "0.5");
  CHECK(launch.env.at("IMAGE_SIDE") == "14");
  CHECK(launch.env.count("RUNGS_BUDGET_RESOLUTION") == 0);  // its `env` names it
  CHECK(nlohmann::json::parse(launch.env.at("RUNGS_BUDGET")) ==
        nlohmann::json({{"epochs", 3}, {"data_fraction", 0.5}, {"resolution", 14}}));

  // A custom dimension from the plugin: its own text and its extra variable.
  const auto custom = parse(campaign_text(
      "{min: 1, max: 9, dimensions: {resolution: {kind: downsample, native: 8, min: 2, cost_power: 1}}}",
      "plugins: [libdownsample.so]\n", R"([train, "--side={resolution}"])"));
  const auto small = campaign::prepare_launch(custom, job_at(custom, 1), dir.path() / "trials/0006");
  CHECK(small.argv == std::vector<std::string>{"train", "--side=4"});
  CHECK(small.env.at("RUNGS_BUDGET_RESOLUTION") == "4");
  CHECK(small.env.at("RUNGS_DOWNSAMPLE_FACTOR") == "2");
  CHECK(nlohmann::json::parse(small.env.at("RUNGS_BUDGET")) == nlohmann::json({{"resolution", 4}}));
  CHECK(custom.ladder.at(1).cost == doctest::Approx(4.5));  // cost_power 1 given as an option
}

TEST_CASE("promotion across a fixed-within-run dimension relaunches with the new value, from scratch") {
  testing::TempDir dir;
  const auto spec = parse(campaign_text(kThreeDimensions));
  const auto trial_dir = dir.path() / "trials/0005";
  // 0 -> 1: resolution 7 -> 14 changes (rerun): same directory, the new values, RUNGS_RESUME=0.
  const auto rerun = campaign::prepare_launch(spec, job_at(spec, 1, 0), trial_dir);
  CHECK(rerun.working_dir == trial_dir);
  CHECK(rerun.argv == std::vector<std::string>{"train", "3", "0.5", "14", "0"});
  CHECK(rerun.env.at("RUNGS_RESUME") == "0");
  CHECK(rerun.env.at("IMAGE_SIDE") == "14");
  auto file = nlohmann::json::parse(testing::read_file(trial_dir / "params.json"));
  CHECK(file["resume"] == false);
  CHECK(file["budget"]["resolution"] == 14);
  CHECK(fidelity::run_cost(spec.ladder, spec.ladder.at(1), spec.ladder.at(0)) == doctest::Approx(0.375));
  // 2 -> 3: only epochs grow: resume from the checkpoint, charged 27 - 9.
  const auto resume = campaign::prepare_launch(spec, job_at(spec, 3, 2), trial_dir);
  CHECK(resume.env.at("RUNGS_RESUME") == "1");
  CHECK(resume.argv.back() == "1");
  CHECK(fidelity::run_cost(spec.ladder, spec.ladder.at(3), spec.ladder.at(2)) == doctest::Approx(18));
}

TEST_CASE("a three-dimension campaign on the simulated backend: cost-sized brackets, reruns, time = cost") {
  testing::TempDir dir;
  const auto spec = parse(campaign_text(kThreeDimensions));
  auto scheduler = campaign::make_scheduler(spec);
  // cost_spread 0: every configuration takes epoch_seconds per full-size epoch.
  const campaign::SimulationOptions options{.seed = 5, .epoch_seconds = 10, .cost_spread = 0, .noise = 0.01, .workers = 4};
  const auto summary = campaign::run_simulation(spec, *scheduler, options, dir.path() / "out");
  CHECK(summary.trials == 51 + 17 + 6 + 4);  // the cost-sized brackets (tests/scheduler/test_cost_sizing.cpp)
  CHECK(summary.outcome.totals.failed == 0);
  REQUIRE(summary.outcome.best.has_value());
  CHECK(summary.outcome.best->level == 3);

  // First report step of every run, by (trial, run).
  std::map<std::pair<int, int>, long> first_step;
  for (const auto& row : testing::read_table(dir.path() / "out", "reports"))
    first_step.emplace(std::pair{row["trial"].get<int>(), row["run"].get<int>()}, row["step"].get<long>());

  double charged = 0;
  int reruns = 0, resumes = 0;
  for (const auto& run : testing::read_table(dir.path() / "out", "runs")) {
    const auto level = run["level"].get<std::size_t>();
    const auto& budget = run["budget"];
    CHECK(budget["resolution"] == spec.ladder.at(level).values.at("resolution"));
    CHECK(budget["data_fraction"] == spec.ladder.at(level).values.at("data_fraction"));
    std::optional<fidelity::Budget> from;
    if (run["resumed"].get<int>()) from = spec.ladder.at(level - 1);
    charged += fidelity::run_cost(spec.ladder, spec.ladder.at(level), from);
    const long first = first_step.at({run["trial"].get<int>(), run["run"].get<int>()});
    if (fidelity::run_start(spec.ladder, spec.ladder.at(level), from) == fidelity::RunStart::Rerun) {
      ++reruns;
      CHECK(first == 1);  // a new resolution: trained again from the first epoch
    } else if (from) {
      ++resumes;
      CHECK(first == static_cast<long>(spec.ladder.at(level - 1).values.at("epochs")) + 1);
    }
  }
  CHECK(reruns > 20);
  CHECK(resumes > 3);
  // Every virtual second was paid for: busy time = 10 s x the cost charged (epoch-equivalents).
  CHECK(summary.busy_seconds == doctest::Approx(10 * charged));
}

TEST_CASE("examples/04_custom_dimension: the plugin's dimension reaches real trial processes") {
  testing::TempDir dir;
  const fs::path example = fs::path(RUNGS_SOURCE_DIR) / "examples/04_custom_dimension";
  std::string text = testing::read_file(example / "campaign.yaml");
  // Successive halving, 9 -> 3 -> 1: a few seconds.
  text = std::regex_replace(text, std::regex(R"(scheduler: \{type: hyperband)"), "scheduler: {type: successive_halving");
  const auto spec = campaign::parse_campaign(text, "campaign.yaml", example);
  const auto outcome = testing::run_local_campaign(spec, dir.path());
  REQUIRE(outcome.best.has_value());
  CHECK(outcome.best->level == 2);

  const auto runs = testing::read_table(dir.path(), "runs");
  CHECK(runs.size() == 9 + 3 + 1);
  for (const auto& run : runs) {
    CHECK(run["failure"].is_null());  // the trainer exits 2 when argv and environment disagree
    const auto& budget = run["budget"];
    CHECK(budget["resolution"] == (std::vector<int>{2, 4, 8}[run["level"].get<std::size_t>()]));
  }
  // The trainer reports the resolution and factor it trained at: the budget's, from argv and env.
  for (const auto& report : testing::read_table(dir.path(), "reports")) {
    const auto level = report["level"].get<std::size_t>();
    CHECK(report["metrics"]["resolution"].get<double>() == spec.ladder.at(level).values.at("resolution"));
    CHECK(report["metrics"]["factor"].get<double>() == 8 / spec.ladder.at(level).values.at("resolution"));
  }
  // Promoted runs changed resolution: they were told to start over.
  const auto params = nlohmann::json::parse(testing::read_file(dir.path() / "trials" / fmt::format("{:04d}", outcome.best->trial) / "params.json"));
  CHECK(params["resume"] == false);
  CHECK(params["budget"]["resolution"] == 8);
}
