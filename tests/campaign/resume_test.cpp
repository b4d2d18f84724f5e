// Crash and resume: a campaign SIGKILLed at any point of its log and resumed makes the same
// decisions as one never interrupted, loses no report and counts none twice.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// Hyperband with BOHB's TPE: the optimizer's state (its observations, its random stream) must
// be rebuilt exactly for the suggestions after a resume to match.
constexpr const char* kCampaign = R"(name: crash
seed: 11
metric: {name: val_loss, mode: min}
space:
  optimizer: {type: categorical, choices: [sgd, adam]}
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}
  momentum: {type: float, low: 0.0, high: 0.95, when: {optimizer: sgd}}
  hidden: {type: int, low: 8, high: 128, log: true}
budget:
  min: 1
  max: 27
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 27}
scheduler: {type: hyperband, eta: 3, iterations: 2, max_concurrent: 4}
optimizer: tpe
trial:
  command: [not-needed-in-a-simulation]
)";

// What must be identical: every launch, report, decision, run end and state change, in order,
// at the same (virtual) time. Resume and relaunch events are the interruption's own.
std::vector<std::string> decisions(const fs::path& dir) {
  const auto store = store::CampaignStore::open(dir, /*read_only=*/true);
  std::vector<std::string> rows;
  for (const auto& event : store.events()) {
    if (event.kind == store::EventKind::Resume || event.kind == store::EventKind::Relaunch ||
        event.kind == store::EventKind::Warning)
      continue;
    rows.push_back(fmt::format("{} {} {} {:.9g} {}", store::to_string(event.kind), event.trial.value_or(-1),
                               event.run.value_or(-1), event.time, event.data.dump()));
  }
  return rows;
}

int simulate(const fs::path& cwd, const std::string& output, std::uint64_t crash_after = 0) {
  if (crash_after) setenv("RUNGS_CRASH_AFTER_EVENTS", std::to_string(crash_after).c_str(), 1);
  const int code = run_rungs({"simulate", "c.yaml", "--output", output, "--quiet"}, cwd / (output + ".log"), cwd);
  unsetenv("RUNGS_CRASH_AFTER_EVENTS");
  return code;
}

}  // namespace

TEST_CASE("resume: a simulated campaign SIGKILLed at 20 random points makes the uninterrupted decisions") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", kCampaign);
  REQUIRE(simulate(dir.path(), "whole") == 0);
  const auto expected = decisions(dir.path() / "whole");
  const auto total = store::CampaignStore::open(dir.path() / "whole", true).events().size();
  REQUIRE(total > 200);

  std::mt19937_64 random(20261128);
  std::uniform_int_distribution<std::size_t> point(1, total - 1);
  for (int i = 0; i < 20; ++i) {
    const auto crash_after = point(random);
    CAPTURE(crash_after);
    const std::string output = fmt::format("crash{}", i);
    REQUIRE(simulate(dir.path(), output, crash_after) == 128 + SIGKILL);
    CHECK(store::CampaignStore::open(dir.path() / output, true).events().size() == crash_after);
    REQUIRE(run_rungs({"resume", output, "--quiet"}, dir.path() / (output + ".resume.log"), dir.path()) == 0);
    const auto resumed = decisions(dir.path() / output);
    REQUIRE(resumed.size() == expected.size());
    for (std::size_t row = 0; row < expected.size(); ++row) {
      CAPTURE(row);
      REQUIRE(resumed[row] == expected[row]);
    }
    CHECK(read_file(dir.path() / output / "best.json") == read_file(dir.path() / "whole" / "best.json"));
  }
}

TEST_CASE("resume: a campaign killed twice in a row still ends as the uninterrupted one") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", kCampaign);
  REQUIRE(simulate(dir.path(), "whole") == 0);
  REQUIRE(simulate(dir.path(), "twice", 150) == 128 + SIGKILL);
  setenv("RUNGS_CRASH_AFTER_EVENTS", "100", 1);  // 100 more events, then dead again
  const int second = run_rungs({"resume", "twice", "--quiet"}, dir.path() / "twice.1.log", dir.path());
  unsetenv("RUNGS_CRASH_AFTER_EVENTS");
  REQUIRE(second == 128 + SIGKILL);
  REQUIRE(run_rungs({"resume", "twice", "--quiet"}, dir.path() / "twice.2.log", dir.path()) == 0);
  CHECK(decisions(dir.path() / "twice") == decisions(dir.path() / "whole"));
}

TEST_CASE("resume: `rungs run` on an existing campaign refuses an incompatible change, naming file, line and key") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", kCampaign);
  REQUIRE(simulate(dir.path(), "out", 50) == 128 + SIGKILL);
  std::string changed = kCampaign;
  changed.replace(changed.find("high: 1.0,"), 10, "high: 0.5,");
  write_file(dir.path() / "c.yaml", changed);
  CHECK(simulate(dir.path(), "out") == 2);
  const auto log = read_file(dir.path() / "out.log");
  CHECK(log.find("c.yaml:6:") != std::string::npos);
  CHECK(log.find("space.lr.high") != std::string::npos);
  CHECK(log.find("was '1.0', now '0.5'") != std::string::npos);
  CHECK(store::CampaignStore::open(dir.path() / "out", true).events().size() == 50);  // nothing lost

  // Changing how trials run is fine: the same command resumes it.
  write_file(dir.path() / "c.yaml", std::string(kCampaign) + "  timeout: 1h\n");
  CHECK(simulate(dir.path(), "out") == 0);
  CHECK(read_table(dir.path() / "out", "trials").size() > 10);
}
