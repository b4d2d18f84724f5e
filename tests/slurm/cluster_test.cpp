// The one-node test cluster (scripts/slurm_cluster.sh) does what the Slurm runner relies on:
// sbatch --parsable prints the id of a job that runs, squeue shows it while it runs and after it
// ended (MinJobAge), scancel ends it as CANCELLED, an exit code reaches ExitCode, and arguments
// after the script reach its "$@" literally. Facts and commands: docs/slurm_facts.md.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/slurm/slurm_commands.hpp"

using namespace rungs::testing::slurm;

TEST_CASE("slurm cluster: sbatch --parsable runs a job that writes a file, COMPLETED with ExitCode 0:0") {
  const auto dir = work_dir("writes_a_file");
  const auto script = write_script(dir / "job.sh", "#!/bin/sh\necho \"ran $SLURM_JOB_ID\" > \"$1\"\n");
  const auto id = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(),
                          "-e", (dir / "%j.err").string(), "--job-name", "rungs-test-writes",
                          script.string(), (dir / "result.txt").string()});
  wait_for_state(id, "COMPLETED");
  CHECK(read_file(dir / "result.txt") == "ran " + id + "\n");
  CHECK(job_field(id, "ExitCode") == "0:0");
  CHECK(job_field(id, "JobName") == "rungs-test-writes");
  CHECK(fs::exists(dir / (id + ".out")));  // -o with %j, in the job's directory
}

TEST_CASE("slurm cluster: squeue shows a running job, scancel ends it CANCELLED by its TERM") {
  const auto dir = work_dir("cancelled");
  const auto id = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(),
                          "--wrap", "echo started > started; sleep 300"});
  wait_for_state(id, "RUNNING");
  // RUNNING in squeue comes before the batch shell exists: a TERM sent in between reaches no
  // process, and the job ends by KILL after KillWait (0:9). Cancel once the shell runs.
  wait_for_file_line(dir / "started", "started");
  const auto row = run("squeue", {"-h", "-j", id, "-o", "%i|%T|%j"});
  CHECK(row.exit_code == 0);
  CHECK(trimmed(row.out) == id + "|RUNNING|wrap");

  const auto cancel = run("scancel", {id});
  CHECK(cancel.exit_code == 0);
  wait_for_state(id, "CANCELLED");
  // TERM reaches the batch shell and its sleep together: the shell dies of it (0:15), or it
  // sees its sleep killed first and exits 128 + 15 (143:0). Both are the TERM that scancel sent.
  const auto exit_code = job_field(id, "ExitCode");
  CHECK((exit_code == "0:15" || exit_code == "143:0"));
  // Gone from the default squeue listing (only jobs not finished), still there with -t all.
  CHECK(trimmed(run("squeue", {"-h", "-j", id, "-o", "%i"}).out).empty());
}

TEST_CASE("slurm cluster: a script that exits 3 ends FAILED with ExitCode 3:0") {
  const auto dir = work_dir("exit_3");
  const auto id = submit({"--no-requeue", "--chdir", dir.string(), "-o", (dir / "%j.out").string(),
                          "--wrap", "exit 3"});
  wait_for_state(id, "FAILED");
  CHECK(job_field(id, "ExitCode") == "3:0");
}

TEST_CASE("slurm cluster: jobs run side by side on the node's 8 CPUs") {
  const auto dir = work_dir("side_by_side");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(submit({"--no-requeue", "--chdir", dir.string(), "-o", "/dev/null", "--wrap", "sleep 300"}));
  }
  for (const auto& id : ids) wait_for_state(id, "RUNNING");
  for (const auto& id : ids) CHECK(run("scancel", {id}).exit_code == 0);
  for (const auto& id : ids) wait_for_state(id, "CANCELLED");
}
