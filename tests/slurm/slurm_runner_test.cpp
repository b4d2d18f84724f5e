// The Slurm runner against a real one-node cluster (the suite's fixture starts it): lines and
// exit statuses through the job's output and exit record, stop as a cancelled job, a restarted
// rungs following its jobs on without submitting them again, jobs the cluster ends continued
// in a new job, and a controller that does not answer for a while.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <functional>
#include <optional>

#include "runners/slurm_run_record.hpp"
#include "runners/slurm_runner.hpp"
#include "tests/slurm/slurm_commands.hpp"
#include "tests/test_deadline.hpp"

namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using namespace rungs::runners;
using namespace rungs::testing::slurm;
using namespace std::chrono_literals;

const fs::path kBin = RUNGS_BIN_DIR;

SlurmRunnerOptions options_in(const fs::path& dir) {
  SlurmRunnerOptions options;
  options.program_dirs = {kBin};
  options.job_script = dir / "slurm-job.sh";
  options.poll = 300ms;
  options.output_poll = 100ms;
  return options;
}

LaunchSpec fake_trial(const fs::path& dir, std::vector<std::string> args, int run = 1) {
  LaunchSpec spec;
  spec.argv = {(kBin / "fake_trial").string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.working_dir = dir;
  spec.stdout_path = dir / fmt::format("run-{}.out", run);
  spec.stderr_path = dir / "stderr.log";
  spec.process_record = dir / fmt::format("run-{}.record", run);
  spec.name = "slurm-runner-test";
  spec.grace = 2s;
  return spec;
}

// What one run delivered.
struct Seen {
  std::vector<std::string> lines;
  std::uint64_t last_end = 0;
  std::optional<ExitStatus> exit;
  RunCallbacks callbacks() {
    RunCallbacks callbacks;
    callbacks.on_line_at = [this](std::string_view line, std::uint64_t end) {
      lines.emplace_back(line);
      last_end = end;
    };
    callbacks.on_exit = [this](const ExitStatus& status) { exit = status; };
    return callbacks;
  }
};

bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds typical) {
  const auto until = std::chrono::steady_clock::now() + rungs::testing::deadline(typical);
  while (!done() && std::chrono::steady_clock::now() < until) {
    io.restart();
    if (io.run_for(50ms) == 0) std::this_thread::sleep_for(10ms);
  }
  return done();
}

std::vector<std::string> jobs_named(const std::string& name) {
  std::vector<std::string> ids;
  std::istringstream out(run("squeue", {"-h", "-t", "all", "--name=" + name, "-o", "%i"}).out);
  for (std::string id; out >> id;) ids.push_back(id);
  return ids;
}

}  // namespace

TEST_CASE("slurm/runner: lines in order, the trial's arguments literal, exit codes from the job's record") {
  slurm_conf();
  const auto dir = work_dir("runner-basic");
  asio::io_context io;
  SlurmRunner runner(io, options_in(dir));
  Seen echo, failing;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  runner.launch(fake_trial(dir / "a", {"echo-args", "; rm -rf /", "$(id)", "two words"}), echo.callbacks());
  runner.launch(fake_trial(dir / "b", {"exit", "3"}), failing.callbacks());
  REQUIRE(run_until(io, [&] { return echo.exit && failing.exit; }, 30s));
  CHECK(echo.lines == std::vector<std::string>{"\"; rm -rf /\"", "\"$(id)\"", "\"two words\""});
  CHECK(succeeded(*echo.exit));
  CHECK(failing.exit->kind == ExitStatus::Kind::Exited);
  CHECK(failing.exit->code == 3);
  CHECK(runner.sbatch_calls() == 2);
  CHECK(runner.running() == 0);
  // Delivered: the record says so, and a later launch with it (a retry) submits anew.
  const auto first_job = read_slurm_record(dir / "b" / "run-1.record")->jobs.back();
  CHECK(read_slurm_record(dir / "b" / "run-1.record")->collected);
  Seen retry;
  runner.launch(fake_trial(dir / "b", {"exit", "4"}), retry.callbacks());
  REQUIRE(run_until(io, [&] { return retry.exit.has_value(); }, 30s));
  CHECK(retry.exit->code == 4);
  CHECK(runner.sbatch_calls() == 3);
  CHECK(read_slurm_record(dir / "b" / "run-1.record")->jobs.back() != first_job);
}

TEST_CASE("slurm/runner: stop cancels the job, the run ends as stopped") {
  const auto dir = work_dir("runner-stop");
  asio::io_context io;
  SlurmRunner runner(io, options_in(dir));
  Seen seen;
  const auto id = runner.launch(fake_trial(dir, {"handle-term"}), seen.callbacks());
  REQUIRE(run_until(io, [&] { return !seen.lines.empty(); }, 20s));
  CHECK(seen.lines.front() == "ready");
  runner.stop(id);
  REQUIRE(run_until(io, [&] { return seen.exit.has_value(); }, 20s));
  CHECK(seen.exit->stopped);
  CHECK_FALSE(succeeded(*seen.exit));
  // The trial handled the TERM that scancel sent and said so before it ended.
  CHECK(seen.lines.back() == "got SIGTERM");
  const auto record = read_slurm_record(dir / "run-1.record");
  REQUIRE(record);
  REQUIRE(record->jobs.size() == 1);
  wait_for_state(record->jobs.front(), "CANCELLED");
}

TEST_CASE("slurm/runner: a restarted rungs follows its job on from the recorded offset, never submitting it again") {
  const auto dir = work_dir("runner-restart");
  const auto spec = fake_trial(dir, {"report", "6", "--sleep-ms", "700"});
  Seen before;
  {
    asio::io_context io;
    SlurmRunner first(io, options_in(dir));
    first.launch(spec, before.callbacks());
    REQUIRE(run_until(io, [&] { return before.lines.size() >= 2; }, 30s));
    // rungs goes away here: the job runs on.
  }
  CHECK_FALSE(before.exit);
  asio::io_context io;
  SlurmRunner second(io, options_in(dir));
  auto again = spec;
  again.stdout_offset = before.last_end;
  Seen after;
  second.launch(again, after.callbacks());
  REQUIRE(run_until(io, [&] { return after.exit.has_value(); }, 30s));
  CHECK(second.sbatch_calls() == 0);
  CHECK(succeeded(*after.exit));
  // Every report exactly once across the two processes.
  auto all = before.lines;
  all.insert(all.end(), after.lines.begin(), after.lines.end());
  CHECK(all.size() == 6);
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].find(fmt::format("\"step\": {}", i + 1)) != std::string::npos);
  const auto record = read_slurm_record(dir / "run-1.record");
  REQUIRE(record);
  CHECK(jobs_named(record->name).size() == 1);
}

TEST_CASE("slurm/runner: a job its node lost continues in a new job as the same run") {
  const auto dir = work_dir("runner-node-fail");
  // Says whether it was relaunched; the first job waits to be lost, the second ends at once.
  const auto trial = write_script(dir / "trial.sh",
                                  "#!/bin/sh\necho \"relaunch=${RUNGS_RELAUNCH:-0}\"\n"
                                  "[ \"$RUNGS_RELAUNCH\" = 1 ] && exit 0\nsleep 120\n");
  asio::io_context io;
  std::vector<std::string> warnings;
  auto options = options_in(dir);
  options.on_warning = [&](const std::string& text) { warnings.push_back(text); };
  SlurmRunner runner(io, options);
  Seen seen;
  auto spec = fake_trial(dir, {});
  spec.argv = {trial.string()};
  runner.launch(spec, seen.callbacks());
  REQUIRE(run_until(io, [&] { return !seen.lines.empty(); }, 30s));
  REQUIRE(run("scontrol", {"update", "nodename=localhost", "state=down", "reason=rungs-test"}).exit_code == 0);
  REQUIRE(run_until(io, [&] { return seen.exit.has_value(); }, 60s));
  CHECK(succeeded(*seen.exit));
  CHECK(seen.lines == std::vector<std::string>{"relaunch=0", "relaunch=1"});
  const auto record = read_slurm_record(dir / "run-1.record");
  REQUIRE(record);
  CHECK(record->jobs.size() == 2);
  CHECK(record->resubmits == 1);
  CHECK(job_state(record->jobs.front()) == "NODE_FAIL");
  CHECK(std::count_if(warnings.begin(), warnings.end(),
                      [](const std::string& text) { return text.find("ended with NODE_FAIL") != std::string::npos; }) == 1);
}

TEST_CASE("slurm/runner: an sbatch whose answer was lost is found by name, not submitted twice") {
  const auto dir = work_dir("runner-lost-answer");
  // Submits, then says the controller did not answer (as a timed-out sbatch may have done).
  const auto sbatch = write_script(dir / "sbatch-lost.sh",
                                   "#!/bin/sh\nsbatch \"$@\" >/dev/null\n"
                                   "echo 'sbatch: error: Batch job submission failed: Socket timed out on send/recv "
                                   "operation' >&2\nexit 1\n");
  asio::io_context io;
  auto options = options_in(dir);
  options.sbatch = sbatch.string();
  SlurmRunner runner(io, options);
  Seen seen;
  runner.launch(fake_trial(dir, {"lines", "3"}), seen.callbacks());
  REQUIRE(run_until(io, [&] { return seen.exit.has_value(); }, 30s));
  CHECK(succeeded(*seen.exit));
  CHECK(seen.lines.size() == 3);
  CHECK(runner.sbatch_calls() == 1);
  const auto record = read_slurm_record(dir / "run-1.record");
  REQUIRE(record);
  CHECK(jobs_named(record->name).size() == 1);
}

TEST_CASE("slurm/runner: squeue failing for a while is retried, not a failed trial, a refused job is a launch failure") {
  const auto dir = work_dir("runner-unreachable");
  // The first three calls fail as when the controller is away.
  const auto squeue = write_script(dir / "squeue-flaky.sh",
                                   "#!/bin/sh\nn=$(cat \"$0.count\" 2>/dev/null || echo 0)\necho $((n + 1)) > \"$0.count\"\n"
                                   "if [ \"$n\" -lt 3 ]; then echo 'slurm_load_jobs error: Unable to contact slurm "
                                   "controller (connect failure)' >&2; exit 1; fi\nexec squeue \"$@\"\n");
  asio::io_context io;
  std::vector<std::string> warnings;
  auto options = options_in(dir);
  options.squeue = squeue.string();
  options.on_warning = [&](const std::string& text) { warnings.push_back(text); };
  SlurmRunner runner(io, options);
  Seen fine, refused;
  fs::create_directories(dir / "a");
  fs::create_directories(dir / "b");
  runner.launch(fake_trial(dir / "a", {"lines", "2"}), fine.callbacks());
  auto bad = fake_trial(dir / "b", {"lines", "2"});
  bad.resources = {"--partition=nosuch"};
  runner.launch(bad, refused.callbacks());
  REQUIRE(run_until(io, [&] { return fine.exit && refused.exit; }, 30s));
  CHECK(succeeded(*fine.exit));
  CHECK(warnings.size() >= 3);
  CHECK(warnings.front().find("Unable to contact") != std::string::npos);
  CHECK(refused.exit->kind == ExitStatus::Kind::LaunchFailed);
  CHECK(refused.exit->error.find("invalid partition specified: nosuch") != std::string::npos);
}

TEST_CASE("slurm/runner: the warning before a time limit reaches the trial through its supervisor") {
  const auto dir = work_dir("runner-warning");
  const auto trial = write_script(dir / "trial.sh",
                                  "#!/bin/sh\ntrap 'echo got USR1' USR1\necho ready\n"
                                  "while :; do sleep 0.1; done\n");
  asio::io_context io;
  SlurmRunner runner(io, options_in(dir));
  Seen seen;
  auto spec = fake_trial(dir, {});
  spec.argv = {trial.string()};
  const auto id = runner.launch(spec, seen.callbacks());
  REQUIRE(run_until(io, [&] { return !seen.lines.empty(); }, 30s));
  // What `--signal=B:USR1@T` sends T seconds before the limit, sent now.
  const auto job = read_slurm_record(dir / "run-1.record")->jobs.back();
  REQUIRE(run("scancel", {"--batch", "--signal=USR1", job}).exit_code == 0);
  REQUIRE(run_until(io, [&] { return seen.lines.size() >= 2; }, 20s));
  CHECK(seen.lines[1] == "got USR1");
  runner.stop(id);
  REQUIRE(run_until(io, [&] { return seen.exit.has_value(); }, 20s));
  CHECK(seen.exit->stopped);
}
