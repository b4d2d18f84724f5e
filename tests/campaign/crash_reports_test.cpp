// Every line a trial printed is read, even across crashes of rungs: the quickstart campaign
// (real trainer processes that checkpoint and, when relaunched, report their checkpoint's
// step again) is SIGKILLed at 20 random moments and resumed each time. Each run's stdout goes
// to trial_dir/run-N.out and the loop records, with every report, how far into that file it
// has read; a relaunch reads on from there. So every report any trainer printed is in the
// store, exactly once.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "store/store.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

TEST_CASE("crash: after 20 SIGKILLs of rungs at random moments, every report the trials printed is stored exactly once") {
  TempDir dir;
  const std::string campaign = std::string(RUNGS_SOURCE_DIR) + "/examples/01_quickstart/campaign.yaml";
  const auto output = dir.path() / "out";
  std::mt19937 rng(20261202);
  std::uniform_int_distribution<int> delay_ms(150, 900);

  // `run` until a kill comes after the store was created, `resume` from then on: an
  // instrumented rungs on a busy machine may not even have made the output directory before
  // the first kill, and `resume` of a directory that holds no campaign is refused.
  const auto args = [&] {
    return store::CampaignStore::exists(output) ? std::vector<std::string>{"resume", output.string(), "--quiet"}
                                                : std::vector<std::string>{"run", campaign, "--output", output.string(), "--quiet"};
  };
  int finished_early = 0;
  for (int kill = 0; kill < 20; ++kill) {
    const pid_t rungs_pid = spawn_rungs(args(), dir.path() / fmt::format("run{}.log", kill), dir.path());
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
    ::kill(rungs_pid, SIGKILL);
    if (wait_exit(rungs_pid) == 0) ++finished_early;  // it ended before the kill: the rest resumes nothing
  }
  REQUIRE(store::CampaignStore::exists(output));
  REQUIRE(run_rungs(args(), dir.path() / "final.log", dir.path()) == 0);
  MESSAGE(fmt::format("{} of 20 kills came after the campaign had ended", finished_early));

  // (trial, step) of every report in the store, counted.
  std::map<std::pair<std::int64_t, std::int64_t>, int> stored;
  for (const auto& event : store::CampaignStore::open(output, true).events())
    if (event.kind == store::EventKind::Report && event.data["step"].is_number())
      ++stored[{*event.trial, event.data["step"].get<std::int64_t>()}];
  REQUIRE_FALSE(stored.empty());
  for (const auto& [key, count] : stored) {
    CAPTURE(key.first);
    CAPTURE(key.second);
    CHECK(count == 1);
  }
  // Every report line any process printed into a run's output file is among them.
  std::size_t printed = 0;
  for (const auto& trial_dir : fs::directory_iterator(output / "trials")) {
    const auto trial = std::stoll(trial_dir.path().filename().string());
    for (const auto& file : fs::directory_iterator(trial_dir.path())) {
      if (file.path().extension() != ".out") continue;
      std::ifstream in(file.path());
      for (std::string line; std::getline(in, line);) {
        if (line.rfind("@rungs ", 0) != 0) continue;
        const auto report = nlohmann::json::parse(line.substr(7), nullptr, false);
        if (!report.is_object() || !report["step"].is_number()) continue;
        ++printed;
        CAPTURE(file.path().string());
        CAPTURE(line);
        CHECK(stored.count({trial, report["step"].get<std::int64_t>()}) == 1);
      }
    }
  }
  CHECK(printed >= stored.size());
}
