// `rungs status` as a user runs it on a campaign another `rungs` writes: running, then
// interrupted (the campaign lock tells them apart), as text, --json and --watch; and
// `rungs run -w`, recorded so that a resume keeps it.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "test_support.hpp"
#include "tests/test_deadline.hpp"

using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

const std::string kFakeTrial = std::string(RUNGS_BIN_DIR) + "/fake_trial";

std::string campaign(const std::string& command) {
  return fmt::format(R"(name: status-cli
seed: 5
metric: loss
space:
  x: {{type: float, low: 0, high: 1}}
budget: {{min: 1, max: 9}}
scheduler: {{type: hyperband, eta: 3, max_concurrent: 2}}
trial:
  command: {}
  grace_period: 300ms
)",
                     command);
}

nlohmann::json status_json(const fs::path& cwd) {
  REQUIRE(run_rungs({"status", "out", "--json"}, cwd / "status.json", cwd) == 0);
  return nlohmann::json::parse(read_file(cwd / "status.json"));
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

}  // namespace

TEST_CASE("rungs status: running while rungs writes it, interrupted after Ctrl-C, --json and --watch say so") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", campaign("[" + kFakeTrial + ", hang]"));
  const pid_t rungs = spawn_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "run.log", dir.path());
  REQUIRE(wait_for([&] { return fs::exists(dir.path() / "out/trials/0002/stdout.log"); },
                   rungs::testing::deadline(std::chrono::seconds(30))));

  const auto running = status_json(dir.path());
  CHECK(running["state"] == "running");
  CHECK(running["campaign"] == "status-cli");
  CHECK(running["metric"] == "loss");
  CHECK(running["states"]["running"] == 2);
  CHECK(running["runs_out"] == 2);
  CHECK(running["failure"].is_null());
  CHECK(running["trials"].size() == running["trial_count"]);
  CHECK(run_rungs({"status", "out"}, dir.path() / "status.txt", dir.path()) == 0);
  CHECK(read_file(dir.path() / "status.txt").find(", running\n") != std::string::npos);

  // --watch refreshes while it runs; Ctrl-C ends it cleanly.
  const pid_t watcher = spawn_rungs({"status", "out", "--watch", "0.2", "--json"}, dir.path() / "watch.log", dir.path());
  REQUIRE(wait_for([&] { return read_json_lines(dir.path() / "watch.log").size() >= 2; },
                   rungs::testing::deadline(std::chrono::seconds(30))));
  kill(watcher, SIGINT);
  CHECK(wait_exit(watcher) == 0);
  for (const auto& refresh : read_json_lines(dir.path() / "watch.log")) {
    CHECK(refresh["state"] == "running");
    // The campaign layer's fields, as `status --json` once has them (docs/status.md).
    CHECK(refresh["limits"] == running["limits"]);
    CHECK(refresh.contains("warm_start"));
  }

  kill(rungs, SIGINT);
  REQUIRE(wait_exit(rungs) == 130);
  CHECK(status_json(dir.path())["state"] == "interrupted");
  CHECK(run_rungs({"status", "out"}, dir.path() / "status.txt", dir.path()) == 0);
  CHECK(read_file(dir.path() / "status.txt").find("interrupted (go on with `rungs resume " + (dir.path() / "out").string()) !=
        std::string::npos);
  // Nothing writes it any more: --watch shows it once and ends.
  CHECK(run_rungs({"status", "out", "--watch"}, dir.path() / "watch2.log", dir.path()) == 0);
  CHECK(read_file(dir.path() / "watch2.log").find("interrupted") != std::string::npos);
}

TEST_CASE("rungs run -w 1: one run out at a time whatever the YAML says, recorded, so a resume keeps it") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", campaign("[" + kFakeTrial + ", report, \"3\"]"));
  REQUIRE(run_rungs({"run", "c.yaml", "--output", "out", "--quiet", "-w", "1"}, dir.path() / "log", dir.path()) == 0);
  auto runs = read_table(dir.path() / "out", "runs");
  REQUIRE(runs.size() > 3);
  std::sort(runs.begin(), runs.end(), [](const auto& a, const auto& b) { return a["launched"] < b["launched"]; });
  for (std::size_t i = 1; i < runs.size(); ++i) CHECK(runs[i]["launched"].get<double>() >= runs[i - 1]["ended"].get<double>());
  CHECK(rungs::store::CampaignStore::open(dir.path() / "out", true).info().options == nlohmann::json{{"max_concurrent", 1}});
  // Run again without -w: as recorded (a finished campaign replays and ends); another -w is refused.
  CHECK(run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log2", dir.path()) == 0);
  CHECK(run_rungs({"run", "c.yaml", "--output", "out", "--quiet", "-w", "3"}, dir.path() / "log3", dir.path()) == 2);
  CHECK(read_file(dir.path() / "log3").find("was started with other options ({\"max_concurrent\":1})") != std::string::npos);
  CHECK(run_rungs({"resume", "out", "--quiet"}, dir.path() / "log4", dir.path()) == 0);
}
