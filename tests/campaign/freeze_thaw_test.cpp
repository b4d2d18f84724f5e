// A freeze_thaw campaign end to end: real trial processes paused at each level and continued
// from their checkpoints (RUNGS_RESUME), the cost limit, and a crash + resume that makes the
// decisions of the uninterrupted campaign (the curve model retrained identically on replay).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "campaign/config_error.hpp"
#include "store/store.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// fake_trial score: loss (log10(x) + 2)^2 + 1/step, continuing after the step in its checkpoint.
constexpr const char* kCampaign = R"(name: ft
seed: 5
metric: {name: loss, mode: min}
space:
  x: {type: float, low: 1.0e-4, high: 1.0, log: true}
  width: {type: int, low: 1, high: 8}
budget:
  min: 1
  max: 6
  step: 1
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 6}
scheduler:
  type: freeze_thaw
  max_budget: 30
  initial: 3
  candidates: 20
  train_steps: 5
  model: {members: 3, hidden: 8}
trial:
  command: [fake_trial, score, "{x}", "{epochs}", "0", "{trial_dir}/checkpoint"]
)";

// Launches (trial, level, resumed, parameters) and exits (trial, value), in order: what the
// scheduler decided and saw, without the times of real processes.
std::vector<std::string> decisions(const fs::path& dir) {
  std::vector<std::string> rows;
  for (const auto& event : store::CampaignStore::open(dir, /*read_only=*/true).events()) {
    if (event.kind == store::EventKind::Launch)
      rows.push_back(fmt::format("launch {} {} {} {}", event.trial.value_or(-1), event.data["level"].dump(),
                                 event.data["resumed"].dump(), event.data["params"].dump()));
    else if (event.kind == store::EventKind::Exit)
      rows.push_back(fmt::format("exit {} {}", event.trial.value_or(-1), event.data["value"].dump()));
  }
  return rows;
}

int run(const fs::path& cwd, const std::string& output, std::uint64_t crash_after = 0) {
  if (crash_after) setenv("RUNGS_CRASH_AFTER_EVENTS", std::to_string(crash_after).c_str(), 1);
  const int code = run_rungs({"run", "c.yaml", "--output", output, "--quiet"}, cwd / (output + ".log"), cwd);
  unsetenv("RUNGS_CRASH_AFTER_EVENTS");
  return code;
}

}  // namespace

TEST_CASE("freeze_thaw campaign: trials pause and continue from their checkpoints, the cost limit holds") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", kCampaign);
  REQUIRE(run(dir.path(), "out") == 0);
  const auto runs = read_table(dir.path() / "out", "runs");
  double cost = 0;
  std::size_t resumed = 0;
  for (const auto& row : runs) {
    cost += row["cost"].get<double>();
    resumed += row["resumed"].is_boolean() ? row["resumed"].get<bool>() : row["resumed"].get<int>() != 0;
  }
  CHECK(resumed > 0);
  CHECK(cost >= 30);
  CHECK(cost < 31 + 1e-9);  // one-epoch steps: the last launch crosses 30 by less than one
  // Every trial's reports are steps 1, 2, 3, ... once each: a resumed run went on from its
  // checkpoint instead of training again from step 1.
  std::map<std::int64_t, std::vector<double>> steps;
  for (const auto& row : read_table(dir.path() / "out", "reports")) steps[row["trial"].get<std::int64_t>()].push_back(row["step"].get<double>());
  REQUIRE_FALSE(steps.empty());
  for (const auto& [trial, seen] : steps) {
    CAPTURE(trial);
    for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == doctest::Approx(static_cast<double>(i + 1)));
  }
}

TEST_CASE("freeze_thaw campaign: killed midway and resumed, it makes the uninterrupted decisions") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", kCampaign);
  REQUIRE(run(dir.path(), "whole") == 0);
  const auto expected = decisions(dir.path() / "whole");
  const auto total = store::CampaignStore::open(dir.path() / "whole", true).events().size();
  REQUIRE(total > 60);
  for (const std::uint64_t crash_after : {total / 3, 2 * total / 3}) {
    CAPTURE(crash_after);
    const std::string output = fmt::format("crash{}", crash_after);
    REQUIRE(run(dir.path(), output, crash_after) == 128 + SIGKILL);
    REQUIRE(run_rungs({"resume", output, "--quiet"}, dir.path() / (output + ".resume.log"), dir.path()) == 0);
    CHECK(decisions(dir.path() / output) == expected);
  }
}

TEST_CASE("freeze_thaw campaign file: settings are read, bad ones named at their key") {
  const auto spec = campaign::parse_campaign(kCampaign, "c.yaml", "/tmp");
  const auto* options = std::get_if<scheduler::FreezeThawOptions>(&spec.scheduler.kind);
  REQUIRE(options != nullptr);
  CHECK(options->max_cost == doctest::Approx(30));
  CHECK(options->initial == 3);
  CHECK(options->candidates == 20);
  CHECK(options->train_steps == 5);
  CHECK(options->model.members == 3);
  CHECK(options->model.hidden == 8);
  CHECK(spec.ladder.levels() == 6);
  CHECK(spec.ladder.step() == doctest::Approx(1));
  {
    std::string text = kCampaign;
    text.replace(text.find("train_steps: 5"), 14, "train_steps: 5\n  race_after: -1\n  retrain_fraction: 0.1\n  local: 7");
    const auto tuned = campaign::parse_campaign(text, "c.yaml", "/tmp");
    const auto& o = std::get<scheduler::FreezeThawOptions>(tuned.scheduler.kind);
    CHECK(o.race_after == doctest::Approx(-1));
    CHECK(o.retrain_fraction == doctest::Approx(0.1));
    CHECK(o.local == 7);
  }

  auto error_of = [](std::string from, std::string to) -> std::string {
    std::string text = kCampaign;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    try {
      campaign::parse_campaign(text, "c.yaml", "/tmp");
    } catch (const campaign::ConfigError& e) {
      return e.key_path() + ": " + e.message();
    }
    return "no error";
  };
  CHECK(error_of("  max_budget: 30\n", "") == "scheduler: freeze_thaw needs a limit: limits: {cost, wall, trials} (or max_trials / max_budget)");
  CHECK(error_of("initial: 3", "initial: 0").find("scheduler.initial") == 0);
  CHECK(error_of("candidates: 20", "candidates: 20\n  local: -1").find("scheduler.local") == 0);
  CHECK(error_of("model: {members: 3", "model: {layers: 3").find("scheduler.model") == 0);
  CHECK(error_of("model: {members: 3", "model: {members: 17").find("scheduler.model.members: must be at most 16, got 17") == 0);
  CHECK(error_of("  step: 1\n", "  step: 4\n").find("budget.step: must divide") == 0);
  // Linear levels are for freeze_thaw only.
  const auto hyperband = error_of("  type: freeze_thaw\n  max_budget: 30\n  initial: 3\n  candidates: 20\n"
                                  "  train_steps: 5\n  model: {members: 3, hidden: 8}\n",
                                  "  type: hyperband\n");
  CAPTURE(hyperband);
  CHECK(hyperband.find("budget.step: linear levels are for freeze_thaw") == 0);
}
