// Creating a store is all or nothing: a process killed while it creates one leaves either a
// whole store (its campaign row readable) or none, never a store.db that `run` refuses (it
// exists) and `resume` cannot read (no campaign row).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "store/store.hpp"
#include "tests/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace rungs;
using rungs::testing::TempDir;

namespace {

store::CampaignInfo info(const std::string& name) {
  store::CampaignInfo info;
  info.name = name;
  info.mode = "run";
  info.options = nlohmann::json::object();
  info.campaign_yaml = std::string(20000, '#');  // a campaign file of some size: creation takes a while
  info.metric = "loss";
  info.direction = "min";
  return info;
}

}  // namespace

TEST_CASE("a store killed while it is created is whole or absent, and can be created again") {
  TempDir dir;
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> delay_us(0, 40000);
  int created_whole = 0, absent = 0;
  for (int kill = 0; kill < 12; ++kill) {
    const auto parent = dir.path() / fmt::format("kill-{}", kill);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {  // creates stores one after the other until it is killed
      try {
        for (int i = 0;; ++i) store::CampaignStore::create(parent / std::to_string(i), info(std::to_string(i)));
      } catch (...) {
      }
      ::_exit(1);  // never back into the test runner
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(rng)));
    ::kill(child, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFSIGNALED(status));
    if (!fs::exists(parent)) continue;
    for (const auto& entry : fs::directory_iterator(parent)) {
      const auto name = entry.path().filename().string();
      CAPTURE(entry.path().string());
      if (store::CampaignStore::exists(entry.path())) {
        CHECK(store::CampaignStore::open(entry.path(), true).info().name == name);
        ++created_whole;
      } else {  // the one being created when the kill came: created afresh now
        ++absent;
        CHECK(store::CampaignStore::create(entry.path(), info(name)).info().name == name);
        CHECK(store::CampaignStore::open(entry.path()).info().campaign_yaml == info(name).campaign_yaml);
      }
    }
  }
  MESSAGE(fmt::format("{} stores whole, {} interrupted and created again", created_whole, absent));
  CHECK(created_whole > 0);
}

TEST_CASE("a store refuses to be created over an existing one") {
  TempDir dir;
  store::CampaignStore::create(dir.path(), info("first"));
  CHECK_THROWS_WITH_AS(store::CampaignStore::create(dir.path(), info("second")), doctest::Contains("already holds a campaign"),
                       std::runtime_error);
  CHECK(store::CampaignStore::open(dir.path(), true).info().name == "first");
}
