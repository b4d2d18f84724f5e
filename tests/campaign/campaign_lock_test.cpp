// One writer per campaign directory (campaign/campaign_lock.hpp).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "campaign/campaign_lock.hpp"
#include "test_support.hpp"

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
