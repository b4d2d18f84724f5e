// Constraints and several objectives in a campaign: the YAML (errors at file:line:col), the
// examples with real trainers (the best never infeasible; the Pareto front printed, stored,
// in status and export), a constrained metric nobody reports, and resume.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "store/store.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

constexpr const char* kSimulated = R"(name: mo
seed: 5
metric: {name: val_loss, mode: min}
constraints: ["latency <= 0.6"]
space:
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}
  hidden: {type: int, low: 8, high: 128, log: true}
budget:
  min: 1
  max: 27
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 27}
scheduler: {type: hyperband, eta: 3, iterations: 1, max_concurrent: 3}
optimizer: tpe
trial:
  command: [not-needed-in-a-simulation]
)";

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string error_of(const std::string& text) {
  try {
    campaign::parse_campaign(text, "campaign.yaml", "/tmp");
  } catch (const campaign::ConfigError& e) {
    return e.what();
  }
  FAIL("expected a ConfigError");
  return "";
}

}  // namespace

TEST_CASE("constraints: the grammar takes METRIC <= or >= NUMBER and says what is wrong otherwise") {
  const auto c = campaign::parse_constraint(" latency_ms<=20 ");
  CHECK(c.metric == "latency_ms");
  CHECK(c.at_most);
  CHECK(c.threshold == 20);
  CHECK(c.text == "latency_ms <= 20");
  CHECK(c.margin(10.0) < 0);
  CHECK(c.margin(30.0) > 0);
  CHECK(std::isnan(c.margin(std::nullopt)));
  const auto g = campaign::parse_constraint("val_acc >= 9.5e-1");
  CHECK_FALSE(g.at_most);
  CHECK(g.margin(0.97) < 0);
  for (const char* bad : {"latency_ms < 20", "latency_ms <= ", "<= 20", "latency_ms == 20", "latency ms <= 2"})
    CHECK_THROWS_AS(campaign::parse_constraint(bad), std::invalid_argument);
  try {
    campaign::parse_constraint("latency_ms < 20");
  } catch (const std::invalid_argument& e) {
    CHECK(mentions(e.what(), "strict < is not supported"));
  }
}

TEST_CASE("constraints, objectives, scalarize: read from YAML, errors at file:line:col naming the entry") {
  const auto spec = campaign::parse_campaign(
      replaced(kSimulated, "metric: {name: val_loss, mode: min}",
               "metric: [{name: val_loss, mode: min}, {name: val_acc, mode: max}]\nscalarize: {weights: [1, 0.5]}"),
      "campaign.yaml", "/tmp");
  CHECK(spec.objectives.several());
  CHECK(spec.objectives.metrics[1].maximize);
  CHECK(spec.objectives.weights == std::vector<double>{1, 0.5});
  REQUIRE(spec.objectives.constraints.size() == 1);
  CHECK(spec.objectives.constraints[0].text == "latency <= 0.6");

  const auto bad = error_of(replaced(kSimulated, "[\"latency <= 0.6\"]", "[\"memory_gb <= 4\", \"latency < 20\"]"));
  CHECK(mentions(bad, "campaign.yaml:4:33"));
  CHECK(mentions(bad, "'latency < 20'"));
  const auto weights = error_of(replaced(kSimulated, "metric: {name: val_loss, mode: min}",
                                         "metric: [val_loss, latency]\nscalarize: {weights: [1]}"));
  CHECK(mentions(weights, "gives 1 weights for 2 objectives"));
  const auto alone = error_of(replaced(kSimulated, "metric: {name: val_loss, mode: min}",
                                       "metric: val_loss\nscalarize: {weights: [1]}"));
  CHECK(mentions(alone, "scalarize needs several objectives"));
}

TEST_CASE("examples/08_constrained: real trainers, the best satisfies the constraint, infeasible runs never win") {
  TempDir dir;
  const auto campaign = fs::path(RUNGS_SOURCE_DIR) / "examples/08_constrained/campaign.yaml";
  const auto output = dir.path() / "out";
  REQUIRE(run_rungs({"run", campaign.string(), "--output", output.string(), "--quiet"}, dir.path() / "run.log",
                    dir.path()) == 0);
  const auto best = nlohmann::json::parse(read_file(output / "best.json"));
  CHECK(best["report"]["params"].get<double>() <= 2000);
  // Every run: feasible iff its trial's weight count holds; some runs broke it (the space
  // allows up to 9610 weights), and none of them is the best in status --json.
  int infeasible = 0;
  for (const auto& run : read_table(output, "runs")) {
    if (run["ended"].is_null() || !run["failure"].is_null()) continue;
    const int hidden = run["params"]["hidden"].get<int>();
    const bool holds = (64 + 1) * hidden + (hidden + 1) * 10 <= 2000;
    CHECK(run["feasible"].get<int>() == (holds ? 1 : 0));
    infeasible += holds ? 0 : 1;
    if (!holds) CHECK(run["trial"] != best["trial"]);
  }
  CHECK(infeasible > 0);
  REQUIRE(run_rungs({"status", output.string(), "--json"}, dir.path() / "status.json", dir.path()) == 0);
  const auto status = nlohmann::json::parse(read_file(dir.path() / "status.json"));
  CHECK(status["best"]["trial"] == best["trial"]);
  REQUIRE(status["constraints"].size() == 1);
  CHECK(status["constraints"][0]["reported"] == true);
  CHECK(status["constraints"][0]["infeasible_runs"].get<int>() == infeasible);
}

TEST_CASE("examples/09_pareto: the front is printed, written, recorded, in status and exported") {
  TempDir dir;
  const auto campaign = fs::path(RUNGS_SOURCE_DIR) / "examples/09_pareto/campaign.yaml";
  const auto output = dir.path() / "out";
  REQUIRE(run_rungs({"run", campaign.string(), "--output", output.string(), "--quiet"}, dir.path() / "run.log",
                    dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "run.log"), "Pareto front: "));
  const auto front = nlohmann::json::parse(read_file(output / "pareto.json"));
  REQUIRE(front.size() >= 2);
  for (std::size_t i = 0; i < front.size(); ++i)
    for (std::size_t j = 0; j < front.size(); ++j) {
      if (i == j) continue;  // no point dominates another
      const auto& a = front[i]["objectives"];
      const auto& b = front[j]["objectives"];
      CHECK_FALSE((a["val_loss"] <= b["val_loss"] && a["params"] <= b["params"] &&
                   (a["val_loss"] < b["val_loss"] || a["params"] < b["params"])));
    }
  REQUIRE(run_rungs({"status", output.string(), "--json"}, dir.path() / "status.json", dir.path()) == 0);
  const auto status = nlohmann::json::parse(read_file(dir.path() / "status.json"));
  REQUIRE(status["front"].size() == front.size());
  for (std::size_t i = 0; i < front.size(); ++i) CHECK(status["front"][i]["trial"] == front[i]["trial"]);
  const auto events = store::CampaignStore::open(output, true).events();
  CHECK(events.back().data["front"].size() == front.size());
  REQUIRE(run_rungs({"export", output.string(), "-o", (dir.path() / "export").string()}, dir.path() / "export.log",
                    dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "export" / "runs.csv"), "objectives.params"));
}

TEST_CASE("constraints: a metric no run reports makes every run infeasible, warns per trial, shows in status") {
  TempDir dir;
  const auto source = fs::path(RUNGS_SOURCE_DIR) / "examples";
  auto text = read_file(source / "08_constrained/campaign.yaml");
  text = replaced(text, "params <= 2000", "latency_ms <= 20");
  text = replaced(text, "{campaign_dir}/../01_quickstart", (source / "01_quickstart").string());
  text = replaced(text, "trials: 40", "trials: 4");
  write_file(dir.path() / "c.yaml", text);
  // No feasible run, so no best: the command says so and exits 3.
  CHECK(run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "run.log", dir.path()) == 3);
  CHECK(mentions(read_file(dir.path() / "run.log"), "No feasible trial reported a finite val_loss"));
  const auto warnings = read_file(dir.path() / "out" / "warnings.log");
  CHECK(mentions(warnings, "trial 1 run 1: never reported 'latency_ms' (constraint latency_ms <= 20)"));
  REQUIRE(run_rungs({"status", "out"}, dir.path() / "status.log", dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "status.log"),
                 "Constraint 'latency_ms <= 20': no run has reported 'latency_ms'"));
  CHECK(mentions(read_file(dir.path() / "status.log"), "Best so far: none yet"));
}

TEST_CASE("resume: a constrained, two-objective campaign SIGKILLed midway makes the uninterrupted decisions") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", replaced(kSimulated, "metric: {name: val_loss, mode: min}",
                                             "metric: [{name: val_loss, mode: min}, {name: size, mode: min}]"));
  REQUIRE(run_rungs({"simulate", "c.yaml", "--output", "whole", "--quiet"}, dir.path() / "whole.log", dir.path()) == 0);
  const auto events_of = [&](const std::string& output) {
    std::vector<std::string> rows;
    for (const auto& event : store::CampaignStore::open(dir.path() / output, true).events())
      if (event.kind != store::EventKind::Resume && event.kind != store::EventKind::Relaunch &&
          event.kind != store::EventKind::Warning)
        rows.push_back(fmt::format("{} {} {:.9g} {}", store::to_string(event.kind), event.trial.value_or(-1),
                                   event.time, event.data.dump()));
    return rows;
  };
  const auto expected = events_of("whole");
  REQUIRE(expected.size() > 60);
  for (const std::size_t crash_after : {expected.size() / 3, expected.size() * 2 / 3}) {
    CAPTURE(crash_after);
    const auto output = fmt::format("crash{}", crash_after);
    setenv("RUNGS_CRASH_AFTER_EVENTS", std::to_string(crash_after).c_str(), 1);
    const int code = run_rungs({"simulate", "c.yaml", "--output", output, "--quiet"}, dir.path() / (output + ".log"),
                               dir.path());
    unsetenv("RUNGS_CRASH_AFTER_EVENTS");
    REQUIRE(code == 128 + SIGKILL);
    REQUIRE(run_rungs({"resume", output, "--quiet"}, dir.path() / (output + ".resume.log"), dir.path()) == 0);
    CHECK(events_of(output) == expected);
    CHECK(read_file(dir.path() / output / "pareto.json") == read_file(dir.path() / "whole" / "pareto.json"));
    CHECK(read_file(dir.path() / output / "best.json") == read_file(dir.path() / "whole" / "best.json"));
  }
}
