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
