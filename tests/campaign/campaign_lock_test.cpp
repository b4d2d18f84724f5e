// One writer per campaign directory (campaign/campaign_lock.hpp).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "campaign/campaign_lock.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using rungs::campaign::CampaignLock;
using rungs::campaign::CampaignLocked;

TEST_CASE("campaign lock: a second writer is refused, naming the holder, until the first lets go") {
  rungs::testing::TempDir dir;
  std::optional<CampaignLock> first = CampaignLock::acquire(dir.path());
  try {
    CampaignLock::acquire(dir.path());
    FAIL("a second lock was granted");
  } catch (const CampaignLocked& e) {
    CHECK(std::string(e.what()).find(fmt::format("rungs pid {} on host", getpid())) != std::string::npos);
  }
  first.reset();
  CHECK_NOTHROW(CampaignLock::acquire(dir.path()));
}

TEST_CASE("campaign lock: a holder killed with SIGKILL leaves no stale lock") {
  rungs::testing::TempDir dir;
  int ready[2];
  REQUIRE(pipe(ready) == 0);
  const pid_t holder = fork();
  if (holder == 0) {
    const auto lock = CampaignLock::acquire(dir.path());
    (void)!write(ready[1], "x", 1);
    for (;;) pause();
  }
  close(ready[1]);
  char byte = 0;
  REQUIRE(read(ready[0], &byte, 1) == 1);
  close(ready[0]);
  CHECK_THROWS_AS(CampaignLock::acquire(dir.path()), CampaignLocked);
  kill(holder, SIGKILL);
  waitpid(holder, nullptr, 0);
  CHECK_NOTHROW(CampaignLock::acquire(dir.path()));
}

TEST_CASE("campaign lock: `rungs resume` on a directory that `rungs run` is writing is refused at once") {
  rungs::testing::TempDir dir;
  rungs::testing::write_file(dir.path() / "c.yaml", R"(name: locked
metric: val_loss
space:
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}
budget: {min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 9}}}
scheduler: {type: hyperband, eta: 3, max_concurrent: 1}
trial:
  command: [fake_trial, hang]
)");
  const auto output = dir.path() / "out";
  const pid_t first = rungs::testing::spawn_rungs({"run", "c.yaml", "--output", output.string(), "--quiet"},
                                                  dir.path() / "first.log", dir.path());
  // Wait for the first writer's lock (its details are written right after it is taken).
  const auto lock_file = output / CampaignLock::kFileName;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (rungs::testing::read_file(lock_file).find("\"pid\"") == std::string::npos &&
         std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  REQUIRE(rungs::testing::read_file(lock_file).find(fmt::format("\"pid\":{}", first)) != std::string::npos);

  const auto second_log = dir.path() / "second.log";
  CHECK(rungs::testing::run_rungs({"resume", output.string(), "--quiet"}, second_log, dir.path()) == 1);
  const auto refusal = rungs::testing::read_file(second_log);
  CHECK(refusal.find(fmt::format("is being written by rungs pid {} on host", first)) != std::string::npos);
  // A second `run` into the same directory is refused the same way.
  CHECK(rungs::testing::run_rungs({"run", "c.yaml", "--output", output.string(), "--quiet"}, second_log, dir.path()) == 1);

  kill(first, SIGINT);
  CHECK(rungs::testing::wait_exit(first) == 130);
  // Only the first writer wrote: one launch of trial 1, run 1.
  int launches_of_run_1 = 0;
  for (const auto& event : rungs::store::CampaignStore::open(output, true).events())
    launches_of_run_1 += event.kind == rungs::store::EventKind::Launch && event.run == 1;
  CHECK(launches_of_run_1 == 1);
  // Once it is gone, the campaign resumes.
  CHECK_NOTHROW(CampaignLock::acquire(output));
}

namespace {

// Waits for the lock file of `output` to name `pid` (written right after the lock is taken).
bool wait_for_lock(const fs::path& output, pid_t pid) {
  const auto lock_file = output / CampaignLock::kFileName;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (rungs::testing::read_file(lock_file).find(fmt::format("\"pid\":{}", pid)) == std::string::npos) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// What a campaign did, without its clock: every launch (trial, run, level, parameters), report
// (trial, run, step, value), scheduler decision, run end (value, exit code) and state change,
// in order. With one trial at a time and deterministic trials, a campaign does exactly this
// again when run again.
std::vector<std::string> what_happened(const fs::path& output) {
  std::vector<std::string> rows;
  for (const auto& event : rungs::store::CampaignStore::open(output, true).events()) {
    const auto& d = event.data;
    const auto field = [&](const char* key) { return d.contains(key) ? d[key].dump() : std::string("-"); };
    std::string what;
    switch (event.kind) {
      case rungs::store::EventKind::Launch: what = field("level") + " " + field("params"); break;
      case rungs::store::EventKind::Report: what = field("step") + " " + field("value"); break;
      case rungs::store::EventKind::Exit: what = field("value") + " " + field("exit_code"); break;
      case rungs::store::EventKind::State: what = field("state"); break;
      case rungs::store::EventKind::Decision: what = field("decision") + " " + field("value"); break;
      default: break;
    }
    rows.push_back(fmt::format("{} {} {} {}", rungs::store::to_string(event.kind), event.trial.value_or(-1),
                               event.run.value_or(-1), what));
  }
  return rows;
}

}  // namespace

TEST_CASE("campaign lock: with a second writer refused, the first campaign ends exactly as it does alone") {
  rungs::testing::TempDir dir;
  // One trial at a time and trials whose reports depend on their parameters only: the same
  // seed gives the same campaign.
  rungs::testing::write_file(dir.path() / "c.yaml", R"(name: alone
seed: 5
metric: {name: loss, mode: min}
space:
  x: {type: float, low: 1.0e-4, high: 1.0, log: true}
budget: {min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 9}}}
scheduler: {type: hyperband, eta: 3, max_concurrent: 1, iterations: 1}
trial:
  command: [fake_trial, score, "{x}", "{epochs}", "40"]
)");
  const auto contested = dir.path() / "contested";
  const pid_t first = rungs::testing::spawn_rungs({"run", "c.yaml", "--output", contested.string(), "--quiet"},
                                                  dir.path() / "first.log", dir.path());
  REQUIRE(wait_for_lock(contested, first));
  const auto second_log = dir.path() / "second.log";
  CHECK(rungs::testing::run_rungs({"resume", contested.string(), "--quiet"}, second_log, dir.path()) == 1);
  CHECK(rungs::testing::read_file(second_log).find(fmt::format("rungs pid {} on host", first)) != std::string::npos);
  CHECK(rungs::testing::run_rungs({"run", "c.yaml", "--output", contested.string(), "--quiet"}, second_log,
                                  dir.path()) == 1);
  CHECK(rungs::testing::wait_exit(first) == 0);

  const auto alone = dir.path() / "alone";
  REQUIRE(rungs::testing::run_rungs({"run", "c.yaml", "--output", alone.string(), "--quiet"}, dir.path() / "alone.log",
                                    dir.path()) == 0);
  const auto contested_log = what_happened(contested);
  const auto alone_log = what_happened(alone);
  CHECK(contested_log.size() > 20);
  CHECK(contested_log == alone_log);
  // The same in the terms a user reads: trials, reports, the best.
  const auto contested_store = rungs::store::CampaignStore::open(contested, true);
  const auto alone_store = rungs::store::CampaignStore::open(alone, true);
  CHECK(contested_store.trials().size() == alone_store.trials().size());
  CHECK(contested_store.reports().size() == alone_store.reports().size());
  const auto best = [](const rungs::store::CampaignStore& store) {
    double best = 1e300;
    for (const auto& report : store.reports())
      if (report.value) best = std::min(best, *report.value);
    return best;
  };
  CHECK(best(contested_store) == best(alone_store));
  CHECK(best(alone_store) < 1e300);
}

TEST_CASE("campaign lock: held() tells a directory being written from one that is not, and takes nothing") {
  rungs::testing::TempDir dir;
  CHECK_FALSE(CampaignLock::held(dir.path()));  // never locked: no lock file
  CHECK_FALSE(fs::exists(dir.path() / CampaignLock::kFileName));
  {
    const auto lock = CampaignLock::acquire(dir.path());
    CHECK(CampaignLock::held(dir.path()));
    CHECK(CampaignLock::held(dir.path()));  // asking twice changes nothing
  }
  CHECK_FALSE(CampaignLock::held(dir.path()));  // released: the file stays, the lock does not
  CHECK_NOTHROW(CampaignLock::acquire(dir.path()));  // a probe left no lock behind
}
