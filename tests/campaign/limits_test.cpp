// `limits: {cost, wall, trials}` for every scheduler, and growing a finished campaign
// (campaign_bounds.hpp, campaign_growth.hpp), through `rungs simulate` / `rungs resume` as a
// user runs them: synthetic trials on a virtual clock, results read from the store.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>
#include <set>
#include <utility>

#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace rungs;
using rungs::testing::TempDir;

namespace {

// A small curve model: the tests are about limits, not the model's choices.
constexpr const char* kFreezeThaw = "{type: freeze_thaw, initial: 3, candidates: 10, train_steps: 3, model: {members: 2, hidden: 8}}";

std::string campaign_text(const std::string& scheduler, const std::string& limits) {
  return fmt::format(R"(name: limited
seed: 3
metric: val_loss
space:
  lr:     {{type: float, low: 1.0e-4, high: 1.0, log: true}}
  hidden: {{type: int, low: 8, high: 512, log: true}}
budget: {{min: 1, max: 27, dimensions: {{epochs: {{type: int, growth: continued, min: 1, max: 27}}}}}}
scheduler: {}
{}
optimizer: random
trial:
  command: [no-such-trainer, --lr, "{{lr}}"]
)",
                     scheduler, limits.empty() ? "" : "limits: " + limits);
}

struct Totals {
  double cost = 0;
  std::size_t runs = 0;
  std::set<std::int64_t> trials;
  std::set<std::pair<std::int64_t, std::int64_t>> trial_levels;  // launched (trial, level)
  bool repeated = false;                                          // a trial launched twice at one level
};

Totals totals(const fs::path& dir) {
  Totals t;
  for (const auto& run : rungs::testing::read_table(dir, "runs")) {
    t.cost += run["cost"].get<double>();
    ++t.runs;
    t.trials.insert(run["trial"].get<std::int64_t>());
    if (!t.trial_levels.insert({run["trial"].get<std::int64_t>(), run["level"].get<std::int64_t>()}).second)
      t.repeated = true;
  }
  return t;
}

std::string finish_limit(const fs::path& dir) {
  const auto store = store::CampaignStore::open(dir, /*read_only=*/true);
  const auto finish = store.last_of({store::EventKind::Finish});
  return finish && finish->data.contains("limit") ? finish->data["limit"].get<std::string>() : "";
}

// `rungs ARGS` in `dir`; returns the exit code, the output in `log`.
int rungs_in(const TempDir& dir, const std::vector<std::string>& args, std::string* log = nullptr) {
  const auto file = dir.path() / "rungs.log";
  const int code = rungs::testing::run_rungs(args, file, dir.path());
  if (log) *log = rungs::testing::read_file(file);
  return code;
}

int simulate(const TempDir& dir, const std::string& text, const std::string& out, std::string* log = nullptr) {
  rungs::testing::write_file(dir.path() / "c.yaml", text);
  return rungs_in(dir, {"simulate", "c.yaml", "-o", out, "-q", "-w", "3"}, log);
}

}  // namespace

TEST_CASE("limits.cost: every scheduler stops launching within the cost, and says so") {
  for (const std::string scheduler :
       {"{type: hyperband}", "{type: successive_halving}", "{type: asha}", "{type: async_hyperband}",
        "{type: asha, mode: stopping}", "{type: hyperband, stopping_rule: median}",
        "{type: hyperband, stopping_rule: {type: extrapolation, min_points: 3}}", kFreezeThaw}) {
    CAPTURE(scheduler);
    TempDir dir;
    std::string log;
    REQUIRE(simulate(dir, campaign_text(scheduler, "{cost: 400}"), "out", &log) == 0);
    const auto t = totals(dir.path() / "out");
    CHECK(t.cost <= 400 + 1e-9);
    CHECK(t.cost > 400 - 27 - 1e-9);  // it stopped because the next run did not fit
    CHECK(finish_limit(dir.path() / "out").rfind("cost limit 400 reached: ", 0) == 0);
    CHECK(log.find("Stopped launching: cost limit 400 reached") != std::string::npos);
    // The run the limit held never started: no trial is left "running" in a finished campaign.
    for (const auto& trial : rungs::testing::read_table(dir.path() / "out", "trials")) CHECK(trial["state"] != "running");
  }
}

TEST_CASE("a run a stopping rule ends early is charged the epochs it trained") {
  TempDir dir;
  REQUIRE(simulate(dir, campaign_text("{type: asha, mode: stopping}", "{trials: 30}"), "out") == 0);
  std::size_t partial = 0;
  const auto store = store::CampaignStore::open(dir.path() / "out", /*read_only=*/true);
  for (const auto& run : store.runs()) {
    REQUIRE(run.cost);
    if (run.end && run.end->stopped_by_scheduler) {  // launched at 27 epochs, stopped at a milestone (1, 3 or 9)
      CHECK(*run.cost < 27);
      ++partial;
    } else {
      CHECK(*run.cost == doctest::Approx(27));
    }
  }
  CHECK(partial > 10);
}

TEST_CASE("limits.trials: never more trials, for synchronous and asynchronous schedulers") {
  for (const std::string scheduler :
       {"{type: hyperband}", "{type: asha}", "{type: async_hyperband, mode: stopping}", kFreezeThaw}) {
    CAPTURE(scheduler);
    TempDir dir;
    REQUIRE(simulate(dir, campaign_text(scheduler, "{trials: 25}"), "out") == 0);
    const auto t = totals(dir.path() / "out");
    CHECK(t.trials.size() <= 25);
    CHECK(t.trials.size() >= 20);
  }
}

TEST_CASE("limits.wall: virtual campaign time, the runs out are stopped and relaunched when it grows") {
  TempDir dir;
  REQUIRE(simulate(dir, campaign_text("{type: asha}", "{wall: 30m}"), "out") == 0);
  CHECK(finish_limit(dir.path() / "out") == "wall limit 30m reached");
  for (const auto& run : rungs::testing::read_table(dir.path() / "out", "runs")) CHECK(run["launched"].get<double>() < 1800);
  const auto before = totals(dir.path() / "out");
  REQUIRE(rungs_in(dir, {"resume", "out", "-q"}) == 0);  // not grown: nothing more
  CHECK(totals(dir.path() / "out").runs == before.runs);
  REQUIRE(rungs_in(dir, {"resume", "out", "-q", "--limit", "wall=60m"}) == 0);
  CHECK(totals(dir.path() / "out").runs > before.runs);
  CHECK(finish_limit(dir.path() / "out") == "wall limit 1h reached");
}

TEST_CASE("a limited campaign resumed replays the same decisions") {
  TempDir dir;
  REQUIRE(simulate(dir, campaign_text("{type: hyperband, stopping_rule: median}", "{cost: 500, trials: 60}"), "out") == 0);
  const auto runs = rungs::testing::read_table(dir.path() / "out", "runs");
  REQUIRE(rungs_in(dir, {"resume", "out", "-q"}) == 0);
  CHECK(rungs::testing::read_table(dir.path() / "out", "runs") == runs);
}

TEST_CASE("growing a finished Hyperband campaign from 1 to 2 iterations runs the second iteration only") {
  TempDir dir;
  REQUIRE(simulate(dir, campaign_text("{type: hyperband, iterations: 1}", ""), "one") == 0);
  REQUIRE(simulate(dir, campaign_text("{type: hyperband, iterations: 1}", ""), "grown") == 0);
  const auto one = totals(dir.path() / "one");
  REQUIRE(rungs_in(dir, {"resume", "grown", "-q", "--iterations", "2"}) == 0);
  const auto grown = totals(dir.path() / "grown");
  CHECK(grown.trials.size() == 2 * one.trials.size());
  CHECK(grown.runs == 2 * one.runs);
  CHECK_FALSE(grown.repeated);
  CHECK(rungs::testing::read_file(dir.path() / "grown" / "campaign.yaml").find("iterations: 2") != std::string::npos);
  // Resumed again: the growth replays at the point it was recorded, nothing more runs.
  const auto runs = rungs::testing::read_table(dir.path() / "grown", "runs");
  REQUIRE(rungs_in(dir, {"resume", "grown", "-q"}) == 0);
  CHECK(rungs::testing::read_table(dir.path() / "grown", "runs") == runs);
}

TEST_CASE("growing an ASHA campaign from 20 to 30 trials, by its YAML run again") {
  TempDir dir;
  REQUIRE(simulate(dir, campaign_text("{type: asha}", "{trials: 20}"), "out") == 0);
  CHECK(totals(dir.path() / "out").trials.size() == 20);
  std::string log;
  REQUIRE(simulate(dir, campaign_text("{type: asha}", "{trials: 30}"), "out", &log) == 0);
  CHECK(log.find("Growing the campaign") != std::string::npos);
  const auto grown = totals(dir.path() / "out");
  CHECK(grown.trials.size() == 30);
  CHECK_FALSE(grown.repeated);
  const auto runs = rungs::testing::read_table(dir.path() / "out", "runs");
  REQUIRE(rungs_in(dir, {"resume", "out", "-q"}) == 0);
  CHECK(rungs::testing::read_table(dir.path() / "out", "runs") == runs);
}

TEST_CASE("growing a freeze_thaw campaign: its paused trials go on, none is started twice") {
  TempDir dir;
  REQUIRE(simulate(dir, campaign_text(kFreezeThaw, "{cost: 150}"), "out") == 0);
  const auto before = totals(dir.path() / "out");
  CHECK(before.cost <= 150 + 1e-9);
  REQUIRE(rungs_in(dir, {"resume", "out", "-q", "--limit", "cost=300"}) == 0);
  const auto grown = totals(dir.path() / "out");
  CHECK(grown.cost <= 300 + 1e-9);
  CHECK(grown.cost > 300 - 27 - 1e-9);
  CHECK_FALSE(grown.repeated);
  const auto runs = rungs::testing::read_table(dir.path() / "out", "runs");
  REQUIRE(rungs_in(dir, {"resume", "out", "-q"}) == 0);
  CHECK(rungs::testing::read_table(dir.path() / "out", "runs") == runs);
}

TEST_CASE("a shrink is refused with the key and what was spent, other changes stay refused") {
  TempDir dir;
  REQUIRE(simulate(dir, campaign_text("{type: hyperband}", "{cost: 300}"), "out") == 0);
  std::string log;
  CHECK(rungs_in(dir, {"resume", "out", "--limit", "cost=200"}, &log) == 2);
  CHECK(log.find("limits.cost: may only grow (was 300, now 200)") != std::string::npos);
  CHECK(simulate(dir, campaign_text("{type: hyperband}", "{cost: 100}"), "out", &log) == 2);
  CHECK(log.find("c.yaml:9:16: limits.cost: may only grow") != std::string::npos);
  CHECK(simulate(dir, campaign_text("{type: hyperband, eta: 2}", "{cost: 900}"), "out", &log) == 2);
  CHECK(log.find("scheduler.eta: differs from the campaign") != std::string::npos);
  CHECK(rungs_in(dir, {"resume", "out", "--limit", "epochs=3"}, &log) == 2);
  CHECK(log.find("unknown limit 'epochs'") != std::string::npos);
}
