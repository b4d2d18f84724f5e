// From a scheduler Job to argv, environment and params.json, per the trial protocol.
#include <doctest/doctest.h>

#include <algorithm>

#include "campaign/trial_launch.hpp"
#include "test_support.hpp"

using namespace rungs;

namespace {

campaign::CampaignSpec spec_with_command(const std::string& command) {
  return campaign::parse_campaign(R"(name: t
space:
  opt: {type: categorical, choices: [sgd, adam]}
  lr: {type: float, low: 0.001, high: 1, log: true}
  momentum: {type: float, low: 0, high: 1, when: {opt: sgd}}
budget:
  min: 1
  max: 9
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 9}
    fraction: {values: [0.25, 0.5, 1], on_change: warm_start}
trial:
  command: )" + command + R"(
  env: {OMP_NUM_THREADS: "1"}
)",
                                 "c.yaml", "/campaigns/demo");
}

scheduler::Job adam_job(const campaign::CampaignSpec& spec) {
  scheduler::Job job;
  job.trial = 7;
  job.config = {{"opt", std::string("adam")}, {"lr", 0.01}};
  job.budget = spec.ladder.at(1);
  job.resume_from = spec.ladder.at(0);
  return job;
}

}  // namespace

TEST_CASE("launch: placeholders are substituted, inactive parameters' elements dropped") {
  testing::TempDir dir;
  const auto spec = spec_with_command(
      R"([train, --opt, "{opt}", "--lr={lr}", "--momentum={momentum}", "{epochs}", "{fraction}", "{trial_id}", "{resume}", "{level}"])");
  const auto launch = campaign::prepare_launch(spec, adam_job(spec), dir.path() / "trials/0007");
  const std::vector<std::string> expected = {"train", "--opt", "adam", "--lr=0.01", "3", "0.5", "7", "1", "1"};
  CHECK(launch.argv == expected);
  CHECK(launch.working_dir == dir.path() / "trials/0007");
}

TEST_CASE("launch: environment and params.json carry params, budget and resume") {
  testing::TempDir dir;
  const auto spec = spec_with_command("[train]");
  const auto trial_dir = dir.path() / "trials/0007";
  const auto launch = campaign::prepare_launch(spec, adam_job(spec), trial_dir);
  CHECK(launch.env.at("RUNGS_TRIAL_ID") == "7");
  CHECK(launch.env.at("RUNGS_RESUME") == "1");
  CHECK(launch.env.at("RUNGS_LEVEL") == "1");
  CHECK(launch.env.at("RUNGS_RESUME_LEVEL") == "0");
  CHECK(launch.env.at("OMP_NUM_THREADS") == "1");
  CHECK(nlohmann::json::parse(launch.env.at("RUNGS_BUDGET")) == nlohmann::json({{"epochs", 3}, {"fraction", 0.5}}));
  CHECK(nlohmann::json::parse(launch.env.at("RUNGS_PARAMS")) == nlohmann::json({{"opt", "adam"}, {"lr", 0.01}}));
  const auto file = nlohmann::json::parse(testing::read_file(trial_dir / "params.json"));
  CHECK(file["params"]["opt"] == "adam");
  CHECK(file["budget"]["epochs"] == 3);
  CHECK(file["resume"] == true);
  CHECK(file["resume_level"] == 0);
  CHECK(launch.env.at("RUNGS_PARAMS_FILE") == (trial_dir / "params.json").string());
}

TEST_CASE("launch: a relative program path starts at the campaign file's folder") {
  testing::TempDir dir;
  CHECK(campaign::prepare_launch(spec_with_command("[./bin/train]"), adam_job(spec_with_command("[./bin/train]")),
                                 dir.path()).argv.front() == "/campaigns/demo/bin/train");
  CHECK(campaign::prepare_launch(spec_with_command("[python3]"), adam_job(spec_with_command("[python3]")),
                                 dir.path()).argv.front() == "python3");
}
