// No process of a campaign outlives it, through `rungs` as a user runs it: trials that leave a
// child in their process group and a double-forked grandchild in a session of its own (fake_trial
// family), rungs killed with SIGKILL or SIGHUP mid-campaign, then `rungs resume` to the end.
// The campaign's processes are found by a marker in their command line (/proc/PID/cmdline:
// the supervisor's, the trial's and, as forks, its child's and grandchild's).
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"
#include "test_support.hpp"
#include "tests/test_deadline.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// Pids of the live processes whose command line holds `marker` (zombies have none).
std::vector<pid_t> processes_with(const std::string& marker) {
  std::vector<pid_t> found;
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const auto name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "cmdline", std::ios::binary);
    const std::string cmdline{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (cmdline.find(marker) != std::string::npos) found.push_back(std::stoi(name));
  }
  return found;
}

// Waits until a trial of the campaign in `output` has its grandchild running in a session of
// its own, holding the marker (fake_trial family writes its pid); returns that pid, or -1
// after the deadline (a guard against hangs only).
pid_t wait_for_grandchild(const fs::path& output, const std::string& marker) {
  const auto give_up = std::chrono::steady_clock::now() + testing::deadline(std::chrono::seconds(10));
  while (std::chrono::steady_clock::now() < give_up) {
    std::error_code ignored;
    for (const auto& trial : fs::directory_iterator(output / "trials", ignored)) {
      const auto text = read_file(trial.path() / "grandchild.pid");
      if (text.empty()) continue;
      const pid_t pid = std::stoi(text);
      const auto holders = processes_with(marker);
      if (::getsid(pid) == pid && std::find(holders.begin(), holders.end(), pid) != holders.end()) return pid;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return -1;
}

struct LeakCampaign {
  TempDir dir;
  std::string marker;
  fs::path output;
  LeakCampaign() {
    std::random_device entropy;
    marker = fmt::format("leftover-marker-{}-{}", ::getpid(), entropy());
    output = dir.path() / "out";
    // Each run: the supervisor, the trial, its child and its grandchild hold the marker.
    write_file(dir.path() / "c.yaml", fmt::format(R"(name: leftovers
seed: 3
metric: {{name: loss, mode: min}}
space:
  x: {{type: float, low: 1.0e-4, high: 1.0, log: true}}
budget: {{min: 1, max: 9, dimensions: {{epochs: {{type: int, growth: continued, min: 1, max: 9}}}}}}
scheduler: {{type: hyperband, eta: 3, max_concurrent: 2, iterations: 1}}
trial:
  command: [fake_trial, family, "{{epochs}}", "60", {}]
  grace_period: 1s
)",
                                                  marker));
  }
  pid_t start() { return spawn_rungs({"run", "c.yaml", "--output", output.string(), "--quiet"}, dir.path() / "run.log", dir.path()); }
  int resume() { return run_rungs({"resume", output.string(), "--quiet"}, dir.path() / "resume.log", dir.path()); }
  bool finished() {
    for (const auto& event : store::CampaignStore::open(output, true).events())
      if (event.kind == store::EventKind::Finish) return true;
    return false;
  }
};

}  // namespace

TEST_CASE("leftovers: after a SIGKILL of rungs mid-campaign, `rungs resume` ends with no process of the campaign left") {
  LeakCampaign campaign;
  const pid_t rungs_pid = campaign.start();
  REQUIRE(wait_for_grandchild(campaign.output, campaign.marker) > 0);  // out of the trial's session
  ::kill(rungs_pid, SIGKILL);
  CHECK(wait_exit(rungs_pid) == 128 + SIGKILL);

  CHECK(campaign.resume() == 0);
  CHECK(campaign.finished());
  const auto left = processes_with(campaign.marker);
  CHECK_MESSAGE(left.empty(), fmt::format("processes left: {}", fmt::join(left, " ")));
  for (const pid_t pid : left) ::kill(pid, SIGKILL);  // a failed check leaves nothing behind
}

TEST_CASE("leftovers: SIGHUP stops every process of the campaign before rungs exits, `rungs resume` then ends clean") {
  LeakCampaign campaign;
  const pid_t rungs_pid = campaign.start();
  REQUIRE(wait_for_grandchild(campaign.output, campaign.marker) > 0);
  ::kill(rungs_pid, SIGHUP);
  CHECK(wait_exit(rungs_pid) != 0);
  auto left = processes_with(campaign.marker);
  CHECK_MESSAGE(left.empty(), fmt::format("processes left once rungs exited: {}", fmt::join(left, " ")));

  CHECK(campaign.resume() == 0);
  CHECK(campaign.finished());
  left = processes_with(campaign.marker);
  CHECK_MESSAGE(left.empty(), fmt::format("processes left after the resume: {}", fmt::join(left, " ")));
  for (const pid_t pid : left) ::kill(pid, SIGKILL);
}
