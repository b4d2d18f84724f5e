// `start_with:` (campaign/yaml_start_with.hpp, optimizers/start_queue.hpp) and `prior:` in a
// whole campaign: the configurations run first, each exactly once, also across a crash and a
// resume; bad ones are errors at file:line:col naming the key; validate and status say so.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "store/store.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kHead = R"(name: first
seed: 5
metric: {name: val_loss, mode: min}
space:
  optimizer: {type: categorical, choices: [sgd, adam], prior: {weights: {adam: 3}}}
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true, prior: {center: 3.0e-3, confidence: high}}
  momentum: {type: float, low: 0.0, high: 0.95, when: {optimizer: sgd}}
  hidden: {type: int, low: 8, high: 128, log: true}
budget:
  min: 1
  max: 27
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 27}
scheduler: {type: hyperband, eta: 3, iterations: 1, max_concurrent: 3}
optimizer: tpe
trial:
  command: [true]
)";

constexpr const char* kStartWith = R"(start_with:
  - {optimizer: adam, lr: 0.001, hidden: 64}
  - {optimizer: sgd, lr: 1e-2, momentum: 0.9, hidden: 16}
)";

campaign::CampaignSpec parse(const std::string& text) { return campaign::parse_campaign(text, "c.yaml", "/tmp"); }

campaign::ConfigError parse_error(const std::string& start_with) {
  try {
    parse(std::string(kHead) + start_with);
  } catch (const campaign::ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw std::logic_error("unreachable");
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("start_with: the configurations are read typed, in order") {
  const auto spec = parse(std::string(kHead) + kStartWith);
  REQUIRE(spec.start_with.size() == 2);
  CHECK(spec.start_with[0] == space::Config{{"optimizer", std::string("adam")}, {"lr", 0.001}, {"hidden", std::int64_t{64}}});
  CHECK(spec.start_with[1].at("lr") == space::Value(0.01));
  CHECK(spec.start_with[1].at("momentum") == space::Value(0.9));
  CHECK(spec.space.has_prior());
}

TEST_CASE("start_with: a missing, inactive, unknown, mistyped or out-of-range value is an error at its line") {
  auto e = parse_error("start_with:\n  - {optimizer: sgd, lr: 0.01, hidden: 16}\n");
  CHECK(e.where().line == 19);
  CHECK(e.where().column == 5);
  CHECK(mentions(e.what(), "'momentum' is missing"));
  CHECK(mentions(e.what(), "optimizer = sgd"));

  e = parse_error("start_with:\n  - {optimizer: adam, lr: 0.01, hidden: 16}\n  - {optimizer: adam, lr: 0.01, momentum: 0.5, hidden: 16}\n");
  CHECK(e.where().line == 20);
  CHECK(e.key_path() == "start_with[1].momentum");
  CHECK(mentions(e.what(), "inactive"));

  e = parse_error("start_with:\n  - {optimizer: adam, lr: 3, hidden: 16}\n");
  CHECK(e.key_path() == "start_with[0].lr");
  CHECK(mentions(e.what(), "outside its domain"));

  e = parse_error("start_with:\n  - {optimizer: adam, lr: 0.01, hiden: 16}\n");
  CHECK(mentions(e.what(), "did you mean 'hidden'"));

  e = parse_error("start_with:\n  - {optimizer: adam, lr: 0.01, hidden: 16.5}\n");
  CHECK(e.key_path() == "start_with[0].hidden");
  CHECK(mentions(e.what(), "domain: int in [8, 128]"));

  e = parse_error("start_with:\n  - {optimizer: adamw, lr: 0.01, hidden: 16}\n");
  CHECK(e.key_path() == "start_with[0].optimizer");

  e = parse_error("start_with: {optimizer: adam}\n");
  CHECK(e.key_path() == "start_with");
}

TEST_CASE("start_with: run first, each once, also when the campaign is killed and resumed") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", std::string(kHead) + kStartWith);
  const auto simulate = [&](const std::string& output, std::uint64_t crash_after) {
    if (crash_after) setenv("RUNGS_CRASH_AFTER_EVENTS", std::to_string(crash_after).c_str(), 1);
    const int code = run_rungs({"simulate", "c.yaml", "--output", output, "--quiet"}, dir.path() / (output + ".log"), dir.path());
    unsetenv("RUNGS_CRASH_AFTER_EVENTS");
    return code;
  };
  REQUIRE(simulate("whole", 0) == 0);
  // Killed after the first launches, then resumed.
  REQUIRE(simulate("crashed", 12) == 128 + SIGKILL);
  REQUIRE(run_rungs({"resume", "crashed", "--quiet"}, dir.path() / "resume.log", dir.path()) == 0);

  for (const char* output : {"whole", "crashed"}) {
    CAPTURE(output);
    const auto store = store::CampaignStore::open(dir.path() / output, true);
    const auto trials = store.trials();
    REQUIRE(trials.size() > 10);
    // The first two trials are the start_with configurations, at the first rung of the first bracket.
    CHECK(trials[0].params == nlohmann::json{{"optimizer", "adam"}, {"lr", 0.001}, {"hidden", 64}});
    CHECK(trials[1].params == nlohmann::json{{"optimizer", "sgd"}, {"lr", 0.01}, {"momentum", 0.9}, {"hidden", 16}});
    int copies = 0;
    for (const auto& trial : trials) copies += trial.params == trials[0].params ? 1 : 0;
    CHECK(copies == 1);
  }
  CHECK(read_file(dir.path() / "crashed" / "best.json") == read_file(dir.path() / "whole" / "best.json"));

  // The store records the priors; the HTML report marks their centres.
  const auto store = store::CampaignStore::open(dir.path() / "whole", true);
  REQUIRE(store.info().space.size() == 4);
  CHECK(store.info().space[0].prior == nlohmann::json{{"center", "adam"}, {"weights", {{"adam", 3.0}}}});
  CHECK(store.info().space[1].prior == nlohmann::json{{"center", 3e-3}, {"sigma", 0.125}});
  CHECK(store.info().space[2].prior.is_null());
  REQUIRE(run_rungs({"report", "whole"}, dir.path() / "report.log", dir.path()) == 0);
  const auto html = read_file(dir.path() / "whole" / "report.html");
  CHECK(mentions(html, R"("prior_center":"adam")"));
  CHECK(mentions(html, R"("prior_center":0.003)"));

  // validate and status say the campaign starts from prior knowledge.
  REQUIRE(run_rungs({"validate", "c.yaml"}, dir.path() / "validate.log", dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "validate.log"), "Prior knowledge: priors on optimizer"));
  CHECK(mentions(read_file(dir.path() / "validate.log"), "2 start_with configurations"));
  REQUIRE(run_rungs({"status", "whole"}, dir.path() / "status.log", dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "status.log"), "Prior knowledge: priors on optimizer (weights adam 3 (others 1)), "
                                                        "lr (center 0.003, sigma 0.125); 2 start_with configurations"));
}

TEST_CASE("examples/05_priors: validates, runs with real trainers, the start_with configurations first") {
  TempDir dir;
  const auto campaign = fs::path(RUNGS_SOURCE_DIR) / "examples/05_priors/campaign.yaml";
  REQUIRE(run_rungs({"validate", campaign.string()}, dir.path() / "validate.log", dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "validate.log"), "Prior knowledge: priors on optimizer"));
  const auto output = dir.path() / "out";
  REQUIRE(run_rungs({"run", campaign.string(), "--output", output.string(), "--quiet"}, dir.path() / "run.log",
                    dir.path()) == 0);
  const auto trials = store::CampaignStore::open(output, true).trials();
  REQUIRE(trials.size() > 10);
  CHECK(trials[0].params["optimizer"] == "adam");
  CHECK(trials[0].params["lr"] == 3e-3);
  CHECK(trials[1].params["optimizer"] == "sgd");
  // Which configurations run depends on the order two workers finish in; one with a learning
  // rate near the top of the range can diverge, which the trainer reports and exits 1 for. That
  // is the only failure allowed (seen in 3 of 12 runs on a loaded machine).
  for (const auto& trial : trials) {
    if (trial.state != "failed") continue;
    CAPTURE(trial.trial);
    CHECK(mentions(read_file(output / "trials" / fmt::format("{:04d}", trial.trial) / "stderr.log"), "diverged at epoch"));
  }
}
