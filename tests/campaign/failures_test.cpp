// Failures said plainly, as a user of `rungs run` meets them: a campaign whose trials all fail
// stops after trial.max_failures_before_success, prints the cause once with the tail of the
// trial's stderr.log, exits 3, and `rungs status` says it failed and why; a fix and a resume
// then go on. A run that never reports the metric names the ones it did report.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "campaign/failure_notes.hpp"
#include "test_support.hpp"

using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

const std::string kFakeTrial = std::string(RUNGS_BIN_DIR) + "/fake_trial";

// Hyperband over 1..9 (eta 3): 9 + 5 + 3 trials in its first brackets, far more than the limit.
std::string campaign(const std::string& command, const std::string& trial_extra = "") {
  return fmt::format(R"(name: failures
seed: 3
metric: loss
space:
  x: {{type: float, low: 0, high: 1}}
budget: {{min: 1, max: 9}}
scheduler: {{type: hyperband, eta: 3, max_concurrent: 2}}
trial:
  command: {}
  grace_period: 300ms
{}
)",
                     command, trial_extra);
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++count;
  return count;
}

}  // namespace

TEST_CASE("every trial fails: stopped after 5, the cause said once with its stderr, exit 3, status says failed") {
  TempDir dir;
  // A relative script path: the trial runs in its own directory, where there is no train.py.
  write_file(dir.path() / "c.yaml", campaign("[/usr/bin/python3, train.py, \"{x}\"]"));
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  const auto log = read_file(dir.path() / "log");
  INFO(log);
  CHECK(code == 3);
  // Once, however many trials failed of it; with the file it came from.
  CHECK(occurrences(log, "failed: exited with code 2") == 1);
  CHECK(occurrences(log, "can't open file") == 1);
  // Of whichever trial failed first (two run at once).
  CHECK(log.find("last lines of " + (dir.path() / "out/trials/000").string()) != std::string::npos);
  CHECK(log.find("/stderr.log:\n") != std::string::npos);
  CHECK(log.find("Stopped: 5 trials failed and none succeeded (trial.max_failures_before_success: 5)") !=
        std::string::npos);
  CHECK(log.find("rungs resume out`") != std::string::npos);  // as typed from where rungs ran

  // It stopped launching: 5 failed runs, at most one more that was out (ended, no exit).
  const auto runs = read_table(dir.path() / "out", "runs");
  CHECK(runs.size() <= 6);
  std::size_t failed = 0;
  for (const auto& run : runs) failed += run["failure"].is_string() ? 1 : 0;
  CHECK(failed == 5);
  CHECK(read_file(dir.path() / "out/warnings.log").find("stopping the campaign: 5 trials failed") != std::string::npos);

  CHECK(run_rungs({"status", "out"}, dir.path() / "status", dir.path()) == 0);
  const auto status = read_file(dir.path() / "status");
  CHECK(status.find("failed: 5 trials failed and none succeeded") != std::string::npos);
  CHECK(status.find("not finished") == std::string::npos);
  CHECK(run_rungs({"report", "out"}, dir.path() / "report.log", dir.path()) == 0);
  CHECK(read_file(dir.path() / "out/report.html").find("failed: 5 trials failed and none succeeded") != std::string::npos);

  // The cause fixed (a trial that reports), the campaign goes on and succeeds.
  write_file(dir.path() / "c.yaml", campaign("[" + kFakeTrial + ", report, \"3\"]"));
  CHECK(run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log2", dir.path()) == 0);
  CHECK(run_rungs({"status", "out"}, dir.path() / "status2", dir.path()) == 0);
  CHECK(read_file(dir.path() / "status2").find(", finished\n") != std::string::npos);
}

TEST_CASE("max_failures_before_success: 0 launches every trial, no success still exits 3") {
  TempDir dir;
  write_file(dir.path() / "c.yaml",
             campaign("[" + kFakeTrial + ", exit, \"1\"]", "  max_failures_before_success: 0"));
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  const auto log = read_file(dir.path() / "log");
  INFO(log);
  CHECK(code == 3);
  CHECK(log.find("Stopped:") == std::string::npos);
  CHECK(log.find("No trial reported a finite loss") != std::string::npos);
  CHECK(occurrences(log, "failed: exited with code 1") == 1);
  CHECK(log.find(" is empty\n") != std::string::npos);  // fake_trial exit prints nothing on stderr
  CHECK(read_table(dir.path() / "out", "runs").size() >= 17);  // every trial of the brackets
  CHECK(run_rungs({"status", "out"}, dir.path() / "status", dir.path()) == 0);
  CHECK(read_file(dir.path() / "status").find(", finished\n") != std::string::npos);
}

TEST_CASE("a run that never reports the metric names the metrics it did report") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", campaign("[" + kFakeTrial + ", report, \"2\", --metric, val_loss]"));
  CHECK(run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path()) == 3);
  const auto runs = read_table(dir.path() / "out", "runs");
  REQUIRE(!runs.empty());
  CHECK(runs[0]["failure"] == "exited without reporting 'loss'; it reported val_loss");
  CHECK(read_file(dir.path() / "log").find("failed: exited without reporting 'loss'; it reported val_loss") !=
        std::string::npos);
}

TEST_CASE("tail_lines: the last non-empty lines, escaped for a terminal, from the file's end") {
  TempDir dir;
  const auto file = dir.path() / "stderr.log";
  CHECK(rungs::campaign::tail_lines(file, 5).empty());  // missing
  write_file(file, "");
  CHECK(rungs::campaign::tail_lines(file, 5).empty());
  write_file(file, "one\ntwo\n\n   \nthree\r\n\x1b[2Jfour\n");
  CHECK(rungs::campaign::tail_lines(file, 3) == std::vector<std::string>{"two", "three", "\\x1B[2Jfour"});
  CHECK(rungs::campaign::tail_lines(file, 10) == std::vector<std::string>{"one", "two", "three", "\\x1B[2Jfour"});
  // A long file: only its end is read; the line cut by the window is dropped.
  std::string big;
  for (int i = 0; i < 5000; ++i) big += fmt::format("line {}\n", i);
  write_file(file, big + "no newline at the end");
  CHECK(rungs::campaign::tail_lines(file, 2) == std::vector<std::string>{"line 4999", "no newline at the end"});
  write_file(file, std::string(1000, 'x') + "\n");
  const auto cut = rungs::campaign::tail_lines(file, 1);
  REQUIRE(cut.size() == 1);
  CHECK(cut[0] == std::string(300, 'x') + "...");
}
