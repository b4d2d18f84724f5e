// The `rungs` command as a user runs it: exit codes, located errors, literal argv, Ctrl-C.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>

#include <chrono>
#include <set>
#include <thread>

#include "test_support.hpp"
#include "tests/test_deadline.hpp"

using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

const std::string kFakeTrial = std::string(RUNGS_BIN_DIR) + "/fake_trial";

// A campaign around fake_trial: `space` and `command` vary per test.
std::string campaign(const std::string& space, const std::string& command, const std::string& extra = "") {
  return fmt::format(R"(name: cli-test
seed: 11
metric: loss
space:
{}
budget: {{min: 1, max: 3}}
scheduler: {{type: successive_halving, eta: 3, max_concurrent: 2}}
trial:
  command: {}
  grace_period: 300ms
{}
)",
                     space, command, extra);
}

// Processes (not zombies) whose environment mentions `needle`: trials of a campaign put their
// trial directory in RUNGS_TRIAL_DIR, and their children inherit it.
std::vector<int> live_processes_mentioning(const std::string& needle) {
  std::vector<int> pids;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const auto environ = read_file(entry.path() / "environ");
    if (environ.find(needle) == std::string::npos) continue;
    const auto stat = read_file(entry.path() / "stat");
    const auto state_at = stat.rfind(')');
    if (state_at != std::string::npos && stat.size() > state_at + 2 && stat[state_at + 2] == 'Z') continue;
    pids.push_back(std::stoi(name));
  }
  return pids;
}

bool wait_for(const std::function<bool()>& condition, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return condition();
}

}  // namespace

TEST_CASE("rungs validate: a bad file exits 2 naming file, line and key") {
  TempDir dir;
  write_file(dir.path() / "bad.yaml",
             campaign("  x: {type: float, low: 1, high: 0.5}", "[" + kFakeTrial + ", report, \"3\"]"));
  const int code = run_rungs({"validate", "bad.yaml"}, dir.path() / "log", dir.path());
  CHECK(code == 2);
  const auto log = read_file(dir.path() / "log");
  CHECK(log.find("bad.yaml:5:") != std::string::npos);
  CHECK(log.find("space.x.") != std::string::npos);
  CHECK(log.find("low") != std::string::npos);
}

TEST_CASE("rungs validate: a trial program that does not exist is a configuration error") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", campaign("  x: {type: float, low: 0, high: 1}", "[no-such-trainer-xyz, \"{x}\"]"));
  CHECK(run_rungs({"validate", "c.yaml"}, dir.path() / "log", dir.path()) == 2);
  CHECK(read_file(dir.path() / "log").find("no-such-trainer-xyz") != std::string::npos);
}

TEST_CASE("rungs run: a parameter value reaches the trial as one literal argv element") {
  TempDir dir;
  const auto canary = dir.path() / "x";
  fs::create_directories(canary);
  const std::string value = "; rm -rf " + canary.string();
  write_file(dir.path() / "c.yaml",
             campaign(fmt::format("  evil: {{type: categorical, choices: [\"{}\"]}}", value),
                      "[" + kFakeTrial + ", echo-args, \"{evil}\", \"--flag={evil}\"]"));
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  CHECK(code == 3);  // no trial succeeded
  CHECK(fs::exists(canary));
  const auto stdout_log = read_file(dir.path() / "out/trials/0001/stdout.log");
  CHECK(stdout_log.find("\n\"" + value + "\"\n") != std::string::npos);
  CHECK(stdout_log.find("\n\"--flag=" + value + "\"\n") != std::string::npos);
  // echo-args reports nothing: recorded as a failure, and the campaign still finished.
  const auto runs = read_table(dir.path() / "out", "runs");
  REQUIRE(!runs.empty());
  CHECK(runs[0]["failure"].get<std::string>().find("without reporting") != std::string::npos);
}

TEST_CASE("rungs run: crashing, hanging and garbage-printing trials are recorded, the campaign goes on") {
  TempDir dir;
  write_file(dir.path() / "c.yaml",
             campaign("  mode: {type: categorical, choices: [report, crash, garbage, hang, ignore-term]}",
                      "[" + kFakeTrial + ", \"{mode}\", \"3\"]", "  timeout: 1s") +
                 "\n");
  // Three brackets' worth of trials so every mode shows up with this seed.
  auto text = read_file(dir.path() / "c.yaml");
  text.replace(text.find("max_concurrent: 2"), 17, "max_concurrent: 2, iterations: 4");
  write_file(dir.path() / "c.yaml", text);
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  INFO(read_file(dir.path() / "log"));
  REQUIRE(code == 0);

  std::set<std::string> modes;
  for (const auto& run : read_table(dir.path() / "out", "runs")) {
    const auto mode = run["params"]["mode"].get<std::string>();
    modes.insert(mode);
    INFO(run.dump());
    if (mode == "report") CHECK(run["value"].get<double>() == doctest::Approx(1.0 / 3));
    if (mode == "garbage") CHECK(run["value"].get<double>() == doctest::Approx(0.5));
    if (mode == "crash") CHECK(run["signal"] == SIGABRT);
    if (mode == "hang" || mode == "ignore-term")
      CHECK(run["failure"].get<std::string>().find("after timeout") != std::string::npos);
  }
  CHECK(modes.size() >= 4);
  const auto warnings = read_file(dir.path() / "out/warnings.log");
  CHECK(warnings.find("stdout line 1") != std::string::npos);  // garbage's bad JSON, by trial and line
  const auto best = read_file(dir.path() / "log");
  CHECK(best.find("Best configuration") != std::string::npos);
}

TEST_CASE("rungs run: Ctrl-C stops every trial and grandchild, exits 130") {
  TempDir dir;
  write_file(dir.path() / "c.yaml",
             campaign("  x: {type: float, low: 0, high: 1}",
                      "[" + kFakeTrial + ", fork-grandchild, \"{trial_dir}/grandchild.pid\", hang]"));
  const pid_t rungs = spawn_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  const auto trials = dir.path() / "out/trials";
  const bool started = wait_for([&] {
    return fs::exists(trials / "0001/grandchild.pid") && fs::exists(trials / "0002/grandchild.pid");
  }, rungs::testing::deadline(std::chrono::seconds(20)));
  REQUIRE(started);
  CHECK(live_processes_mentioning((dir.path() / "out").string()).size() >= 4);  // 2 trials + 2 grandchildren

  kill(rungs, SIGINT);
  CHECK(wait_exit(rungs) == 130);
  CHECK(live_processes_mentioning((dir.path() / "out").string()).empty());
  for (const char* trial : {"0001", "0002"}) {
    const int grandchild = std::stoi(read_file(trials / trial / "grandchild.pid"));
    const auto stat = read_file(fs::path("/proc") / std::to_string(grandchild) / "stat");
    CHECK((stat.empty() || stat.find(") Z") != std::string::npos));
  }
}
