// The arguments after the script on sbatch's command line reach the script's "$@" as they
// were: no shell runs between sbatch's argv and the batch script (Slurm stores the argv with the
// job). The Slurm runner passes a trial's parameter values this way.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/slurm/slurm_commands.hpp"

using namespace rungs::testing::slurm;

TEST_CASE("slurm cluster: arguments after the script reach its \"$@\" literally") {
  const auto dir = work_dir("literal arguments");  // a space in the job's own paths too
  // Each argument as the script received it, NUL-terminated: nothing can hide a difference.
  const auto script = write_script(dir / "args.sh", "#!/bin/bash\nprintf '%s\\0' \"$@\" > args.bin\n");
  const std::vector<std::string> arguments{
      "two words",   "it's",      "\"double\" quotes", "; rm -rf /",  "$(id)", "`id`",
      "$HOME",       "*",         "",                  "back\\slash", "new\nline",
      "--time=0:01", "-o",        "/nonexistent/x",    "tab\there",   "ünïcødé"};
  std::vector<std::string> args{"--no-requeue",      "--open-mode=append",
                                "-o",                (dir / "out.txt").string(),
                                "-e",                (dir / "err.txt").string(),
                                "--chdir",           dir.string(),
                                "--job-name",        "rungs test 'name'",
                                script.string()};
  args.insert(args.end(), arguments.begin(), arguments.end());
  const auto id = submit(args);
  wait_for_state(id, "COMPLETED");

  std::string expected;
  for (const auto& a : arguments) expected += a + '\0';
  CHECK(read_file(dir / "args.bin") == expected);
  CHECK(job_field(id, "JobName") == "rungs");  // scontrol -o splits at spaces: the name is not parseable there
  CHECK(trimmed(run("squeue", {"-h", "-t", "all", "-j", id, "-o", "%j"}).out) == "rungs test 'name'");
}
