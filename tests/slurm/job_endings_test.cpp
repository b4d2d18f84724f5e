// The ways a job ends that the Slurm runner must tell apart, made to happen on the test
// cluster within seconds: NODE_FAIL (the node set down), PREEMPTED (a job in partition "high"
// needs the CPUs), a signal to the batch shell (what --signal=B:USR1@N sends before a time
// limit), a batch shell killed by a signal, and one state query for many jobs at once.
// TIMEOUT itself takes 60 to 90 s (limits are whole minutes, checked every 30 s): measured in
// docs/slurm_facts.md, not here.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/slurm/slurm_commands.hpp"

using namespace rungs::testing::slurm;

namespace {

// A batch script that notes each signal it gets in DIR/signals, and whose child keeps running.
fs::path noting_script(const fs::path& dir) {
  return write_script(dir / "job.sh",
                      "#!/bin/bash\n"
                      "trap 'echo USR1 >> signals' USR1\n"
                      "trap 'echo TERM >> signals; exit 143' TERM\n"
                      "echo started > signals\n"
                      "while true; do sleep 1 & wait $!; done\n");
}

}  // namespace

TEST_CASE("slurm cluster: a node set down ends its running job NODE_FAIL, and the node returns by itself") {
  const auto dir = work_dir("node_fail");
  const auto id = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(),
                          noting_script(dir).string()});
  wait_for_state(id, "RUNNING");
  wait_for_file_line(dir / "signals", "started");
  const auto down = run("scontrol", {"update", "nodename=localhost", "state=down", "reason=rungs test"});
  CHECK(down.exit_code == 0);
  wait_for_state(id, "NODE_FAIL");
  CHECK(trimmed(run("squeue", {"-h", "-t", "all", "-j", id, "-o", "%r"}).out) == "NodeDown");
  wait_for_file_line(dir / "signals", "TERM");  // the batch shell got TERM first
  // The state is NODE_FAIL at once; the exit code is recorded once the shell has exited.
  const auto until = std::chrono::steady_clock::now() + rungs::testing::deadline(std::chrono::milliseconds(3000));
  std::string code;
  while ((code = job_field(id, "ExitCode")) != "143:0" && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK(code == "143:0");

  // ReturnToService=2: slurmd answers, so the node is back without `state=resume`.
  const auto next = submit({"--no-requeue", "--chdir", dir.string(), "-o", "/dev/null", "--wrap", "true"});
  wait_for_state(next, "COMPLETED");
}

TEST_CASE("slurm cluster: a job of partition high preempts a job of debug: PREEMPTED") {
  const auto dir = work_dir("preempted");
  const auto cpus = trimmed(run("sinfo", {"-h", "-n", "localhost", "-o", "%c"}).out);
  REQUIRE(!cpus.empty());
  const auto low = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(),
                           "-c", cpus, noting_script(dir).string()});
  wait_for_state(low, "RUNNING");
  wait_for_file_line(dir / "signals", "started");
  const auto high = submit({"--no-requeue", "--chdir", dir.string(), "-o", "/dev/null", "-p", "high",
                            "-c", cpus, "--wrap", "true"});
  wait_for_state(low, "PREEMPTED");
  wait_for_state(high, "COMPLETED");
  wait_for_file_line(dir / "signals", "TERM");
}

TEST_CASE("slurm cluster: scancel --batch --signal=USR1 reaches the batch shell, which goes on running") {
  const auto dir = work_dir("usr1");
  const auto id = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(),
                          noting_script(dir).string()});
  wait_for_state(id, "RUNNING");
  wait_for_file_line(dir / "signals", "started");
  CHECK(run("scancel", {"--batch", "--signal=USR1", id}).exit_code == 0);
  wait_for_file_line(dir / "signals", "USR1");
  CHECK(job_state(id) == "RUNNING");
  CHECK(run("scancel", {id}).exit_code == 0);
  wait_for_state(id, "CANCELLED");
  wait_for_file_line(dir / "signals", "TERM");
  CHECK(job_field(id, "ExitCode") == "143:0");  // the script trapped TERM and exited 143
}

TEST_CASE("slurm cluster: scancel --full --signal=TERM reaches the shell and its child: FAILED 143:0, not CANCELLED") {
  const auto dir = work_dir("full_term");
  const auto script = write_script(dir / "job.sh",
                                   "#!/bin/bash\n"
                                   "trap 'echo shell TERM >> signals; exit 143' TERM\n"
                                   "bash -c 'trap \"echo child TERM >> signals; exit 0\" TERM; "
                                   "echo child started >> signals; while true; do sleep 0.2; done' &\n"
                                   "wait\n");
  const auto id = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(), script.string()});
  wait_for_state(id, "RUNNING");
  wait_for_file_line(dir / "signals", "child started");
  CHECK(run("scancel", {"--full", "--signal=TERM", id}).exit_code == 0);
  wait_for_state(id, "FAILED");
  wait_for_file_line(dir / "signals", "shell TERM");
  wait_for_file_line(dir / "signals", "child TERM");
  CHECK(job_field(id, "ExitCode") == "143:0");
}

TEST_CASE("slurm cluster: a batch shell killed by a signal is FAILED, ExitCode 0:SIGNAL") {
  const auto dir = work_dir("killed_by_signal");
  const auto id = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(),
                          "--wrap", "kill -SEGV $$"});
  wait_for_state(id, "FAILED");
  CHECK(job_field(id, "ExitCode") == "0:11");
  CHECK(trimmed(run("squeue", {"-h", "-t", "all", "-j", id, "-o", "%r"}).out) == "JobLaunchFailure");
}

TEST_CASE("slurm cluster: one squeue call lists many jobs and leaves out an unknown id among them") {
  const auto dir = work_dir("many_at_once");
  const auto done = submit({"--no-requeue", "--chdir", dir.string(), "-o", "/dev/null", "--wrap", "true"});
  const auto failed = submit({"--no-requeue", "--chdir", dir.string(), "-o", "/dev/null", "--wrap", "exit 2"});
  wait_for_state(done, "COMPLETED");
  wait_for_state(failed, "FAILED");
  const std::string unknown = "999999";

  const auto all = run("squeue", {"-h", "-t", "all", "-j", done + "," + unknown + "," + failed, "-o", "%i|%T|%r"});
  CHECK(all.exit_code == 0);
  CHECK(all.out.find(done + "|COMPLETED|None\n") != std::string::npos);
  CHECK(all.out.find(failed + "|FAILED|NonZeroExitCode\n") != std::string::npos);
  CHECK(all.out.find(unknown) == std::string::npos);

  // Alone, an unknown id is an error (exit 1, "Invalid job id specified").
  const auto alone = run("squeue", {"-h", "-t", "all", "-j", unknown, "-o", "%i|%T|%r"});
  CHECK(alone.exit_code == 1);
  CHECK(alone.out.empty());
  CHECK(alone.err.find("Invalid job id specified") != std::string::npos);
}
