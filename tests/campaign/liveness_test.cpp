// Liveness: trials that fail are retried up to trial.retries with every failure recorded;
// trials that go silent longer than trial.heartbeat are stale and failed, retried or stopped.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <string>

#include "test_support.hpp"

using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// A trial script: its behaviour in `body` (POSIX sh), the trial's own program, not a shell
// around parameter values: those reach it only through the environment.
fs::path write_trial(const fs::path& dir, const std::string& body) {
  const auto path = dir / "trial.sh";
  write_file(path, "#!/bin/sh\n" + body);
  chmod(path.c_str(), 0755);
  return path;
}

std::string campaign(const fs::path& trial, const std::string& trial_extra) {
  return fmt::format(R"(name: liveness
seed: 3
metric: loss
space:
  x: {{type: float, low: 0, high: 1}}
budget: {{min: 1, max: 1}}
scheduler: {{type: hyperband, max_concurrent: 2, iterations: 2}}
trial:
  command: [{}]
  grace_period: 300ms
{})",
                     trial.string(), trial_extra);
}

int run(const fs::path& dir) {
  return run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir / "log", dir);
}

}  // namespace

TEST_CASE("liveness: a failed run is retried from its checkpoint, each failure recorded") {
  TempDir dir;
  // Fails on its first attempt; the retry sees RUNGS_RELAUNCH=1 and succeeds.
  const auto trial = write_trial(dir.path(), R"(cd "$RUNGS_TRIAL_DIR"
echo "relaunch=${RUNGS_RELAUNCH:-0}" >> attempts
if [ ! -e failed-once ]; then touch failed-once; echo '@rungs {"step": 1, "loss": 0.9}'; exit 3; fi
echo '@rungs {"step": 1, "loss": 0.5}'
)");
  write_file(dir.path() / "c.yaml", campaign(trial, "  retries: 2"));
  REQUIRE(run(dir.path()) == 0);
  const auto runs = read_table(dir.path() / "out", "runs");
  REQUIRE(!runs.empty());
  for (const auto& row : runs) {
    INFO(row.dump());
    CHECK(row["failure"].is_null());
    CHECK(row["attempts"] == 2);
    CHECK(row["value"].get<double>() == doctest::Approx(0.5));
    const auto attempts = read_file(dir.path() / "out/trials" / fmt::format("{:04}", row["trial"].get<int>()) / "attempts");
    CHECK(attempts == "relaunch=0\nrelaunch=1\n");
  }
  const auto store = rungs::store::CampaignStore::open(dir.path() / "out", true);
  std::vector<nlohmann::json> retries;
  for (const auto& event : store.events())
    if (event.kind == rungs::store::EventKind::Retry) retries.push_back(event.data);
  CHECK(retries.size() == runs.size());
  for (const auto& data : retries) CHECK(data["failure"].get<std::string>().rfind("exited with code 3", 0) == 0);
  CHECK(read_file(dir.path() / "out/warnings.log").find("retrying (1 of 2)") != std::string::npos);
}

TEST_CASE("liveness: without retries the failure reaches the scheduler at once") {
  TempDir dir;
  const auto trial = write_trial(dir.path(), "echo '@rungs {\"step\": 1, \"loss\": 0.9}'\nexit 3\n");
  write_file(dir.path() / "c.yaml", campaign(trial, ""));
  REQUIRE(run(dir.path()) == 3);  // no trial succeeded
  for (const auto& row : read_table(dir.path() / "out", "trials")) CHECK(row["state"] == "failed");
  for (const auto& row : read_table(dir.path() / "out", "runs")) CHECK(row["attempts"] == 1);
}

TEST_CASE("liveness: a silent trial goes stale after trial.heartbeat and is failed, retried or stopped") {
  // One report, then silence far beyond the heartbeat.
  const std::string silent = "echo '@rungs {\"step\": 1, \"loss\": 0.25}'\nexec sleep 30\n";

  SUBCASE("on_stale: fail") {
    TempDir dir;
    write_file(dir.path() / "c.yaml", campaign(write_trial(dir.path(), silent), "  heartbeat: 400ms\n  retries: 3"));
    REQUIRE(run(dir.path()) == 3);  // no trial succeeded
    for (const auto& row : read_table(dir.path() / "out", "runs")) {
      INFO(row.dump());
      CHECK(row["stale"] == 1);
      CHECK(row["attempts"] == 1);  // a stale run is not retried unless on_stale says so
      CHECK(row["failure"].get<std::string>().find("heartbeat") != std::string::npos);
    }
  }
  SUBCASE("on_stale: retry") {
    TempDir dir;
    write_file(dir.path() / "c.yaml",
               campaign(write_trial(dir.path(), silent), "  heartbeat: 400ms\n  on_stale: retry\n  retries: 1"));
    REQUIRE(run(dir.path()) == 3);  // no trial succeeded
    for (const auto& row : read_table(dir.path() / "out", "runs")) {
      CHECK(row["attempts"] == 2);
      CHECK(row["stale"] == 1);
      CHECK(!row["failure"].is_null());
    }
  }
  SUBCASE("on_stale: stop") {
    TempDir dir;
    write_file(dir.path() / "c.yaml",
               campaign(write_trial(dir.path(), silent), "  heartbeat: 400ms\n  on_stale: stop"));
    REQUIRE(run(dir.path()) == 0);
    for (const auto& row : read_table(dir.path() / "out", "runs")) {
      CHECK(row["stale"] == 1);
      CHECK(row["failure"].is_null());
      CHECK(row["value"].get<double>() == doctest::Approx(0.25));  // its last report stands
    }
    for (const auto& row : read_table(dir.path() / "out", "trials")) CHECK(row["state"] == "completed");
  }
}
