// What rungs says to Slurm and reads back, without a cluster: the sbatch line (argv intact,
// rungs' own options first), one squeue call for many jobs, and what each job state means.
#include <doctest/doctest.h>

#include <stdlib.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>

#include "runners/slurm_commands.hpp"
#include "runners/slurm_job_end.hpp"
#include "runners/slurm_run_record.hpp"

using namespace rungs::runners;

TEST_CASE("runners/slurm: sbatch gets the trial's arguments as literal script arguments") {
  JobRequest request{"demo-t3-r4-00aa", "/shared/c/trials/0003", "/shared/c/trials/0003/run-4.out",
                     "/shared/c/trials/0003/stderr.log", {"--partition=gpu", "--time=00:20:00"},
                     "/shared/c/slurm-job.sh", {"; rm -rf /", "$(id)", "a b", "--lr=0.1"}};
  const auto argv = sbatch_argv("sbatch", request);
  CHECK(argv.front() == "sbatch");
  for (const char* own : {"--parsable", "--no-requeue", "--open-mode=append", "--export=ALL"})
    CHECK(std::count(argv.begin(), argv.end(), own) == 1);
  CHECK(std::count(argv.begin(), argv.end(), "--job-name=demo-t3-r4-00aa") == 1);
  CHECK(std::count(argv.begin(), argv.end(), "--output=/shared/c/trials/0003/run-4.out") == 1);
  CHECK(std::count(argv.begin(), argv.end(), "--chdir=/shared/c/trials/0003") == 1);
  // The user's requests come after rungs' options and before the script; the script's
  // arguments follow it unchanged, one element each.
  const auto script = std::find(argv.begin(), argv.end(), "/shared/c/slurm-job.sh");
  REQUIRE(script != argv.end());
  CHECK(*(script - 1) == "--time=00:20:00");
  CHECK(std::vector<std::string>(script + 1, argv.end()) ==
        std::vector<std::string>{"; rm -rf /", "$(id)", "a b", "--lr=0.1"});
}

TEST_CASE("runners/slurm: one squeue call names every job and its output is read per job") {
  const auto argv = squeue_argv("squeue", {"812", "813", "900"});
  CHECK(std::count(argv.begin(), argv.end(), "--jobs=812,813,900") == 1);
  CHECK(std::count(argv.begin(), argv.end(), "--states=all") == 1);
  const auto jobs = parse_squeue("812|RUNNING|None\n  813|PENDING|Resources\n900|FAILED|JobLaunchFailure\ngarbage\n|X|\n");
  REQUIRE(jobs.size() == 3);
  CHECK(jobs.at("812").state == "RUNNING");
  CHECK(jobs.at("813").reason == "Resources");
  CHECK(jobs.at("900").reason == "JobLaunchFailure");
  CHECK(parse_squeue("").empty());
}

TEST_CASE("runners/slurm: job states") {
  for (const char* state : {"PENDING", "CONFIGURING", "REQUEUED", "SUSPENDED", "SOMETHING_NEW"})
    CHECK(job_phase(state) == JobPhase::Waiting);
  for (const char* state : {"RUNNING", "COMPLETING"}) CHECK(job_phase(state) == JobPhase::Running);
  for (const char* state : {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY"})
    CHECK(job_phase(state) == JobPhase::Ended);
  // The cluster's ends continue in a new job; the trial's own do not.
  for (const char* state : {"TIMEOUT", "PREEMPTED", "NODE_FAIL", "BOOT_FAIL"}) CHECK(ended_by_cluster(state));
  for (const char* state : {"COMPLETED", "FAILED", "CANCELLED", "OUT_OF_MEMORY"}) CHECK_FALSE(ended_by_cluster(state));
}

TEST_CASE("runners/slurm: sbatch answers, names and times") {
  CHECK(parse_sbatch("812\n") == "812");
  CHECK(parse_sbatch("812;cluster2\n") == "812");
  CHECK_FALSE(parse_sbatch("sbatch: error: invalid partition\n"));
  CHECK_FALSE(parse_sbatch(""));
  CHECK(parse_job_ids(" 812\n813 \n\n") == std::vector<std::string>{"812", "813"});
  CHECK(slurm_time(std::chrono::seconds(1)) == "00:01:00");
  CHECK(slurm_time(std::chrono::seconds(61)) == "00:02:00");
  CHECK(slurm_time(std::chrono::hours(12)) == "12:00:00");
  CHECK(slurm_time(std::chrono::hours(36)) == "1-12:00:00");
  const auto cancel = scancel_argv("scancel", {"1", "2"}, "KILL");
  CHECK(cancel == std::vector<std::string>{"scancel", "--full", "--signal=KILL", "1", "2"});
  CHECK(scancel_argv("scancel", {"1"}) == std::vector<std::string>{"scancel", "1"});
}

TEST_CASE("runners/slurm: the job script passes its arguments on without reading them") {
  const auto text = job_script_text("/opt/it's here/rungs-supervisor");
  CHECK(text.rfind("#!/bin/sh\n", 0) == 0);
  CHECK(text.find("exec '/opt/it'\\''s here/rungs-supervisor' --detached --record \"$record.$SLURM_JOB_ID\" \"$@\"") !=
        std::string::npos);
}

TEST_CASE("runners/slurm: the run record survives a round trip and a torn file reads as none") {
  std::string templ = (std::filesystem::temp_directory_path() / "rungs-slurm-record-XXXXXX").string();
  REQUIRE(::mkdtemp(templ.data()) != nullptr);
  const std::filesystem::path dir = templ;
  const auto path = dir / "run-1.record";
  CHECK_FALSE(read_slurm_record(path));
  SlurmRunRecord record{"demo-t1-r1-0abc", {"812", "813"}, false, 1, false};
  write_slurm_record(path, record);
  const auto back = read_slurm_record(path);
  REQUIRE(back);
  CHECK(back->name == record.name);
  CHECK(back->jobs == record.jobs);
  CHECK(back->resubmits == 1);
  CHECK_FALSE(back->collected);
  std::ofstream(path) << "{\"name\": \"x\", \"jobs\": [";
  CHECK_FALSE(read_slurm_record(path));
  std::filesystem::remove_all(dir);
}

TEST_CASE("runners/slurm: how a run ended, from the job's record first, then Slurm's word") {
  ExitStatus recorded;
  recorded.kind = ExitStatus::Kind::Exited;
  recorded.code = 3;
  ExitStatus none;
  // The supervisor's record is exact, whatever Slurm says (a signal death of the batch shell
  // reads JobLaunchFailure).
  auto status = judge_job_end(none, JobEnd{"7", "FAILED", "JobLaunchFailure", recorded, true, 0});
  CHECK(status.kind == ExitStatus::Kind::Exited);
  CHECK(status.code == 3);
  // Our scancel, before the trial could record anything: stopped by SIGTERM.
  ExitStatus stopping;
  stopping.stopped = true;
  status = judge_job_end(stopping, JobEnd{"7", "CANCELLED", "None", std::nullopt, false, 0});
  CHECK(status.kind == ExitStatus::Kind::Signaled);
  CHECK(status.signal == SIGTERM);
  CHECK(status.stopped);
  // Never started (a missing output directory), versus a job seen running that left nothing.
  CHECK(judge_job_end(none, JobEnd{"7", "FAILED", "JobLaunchFailure", std::nullopt, false, 0}).kind ==
        ExitStatus::Kind::LaunchFailed);
  status = judge_job_end(none, JobEnd{"7", "FAILED", "JobLaunchFailure", std::nullopt, true, 0});
  CHECK(status.kind == ExitStatus::Kind::Unknown);
  CHECK(status.error == "job 7 ended as FAILED (JobLaunchFailure) and left no exit record");
  CHECK(judge_job_end(none, JobEnd{"7", "", "", std::nullopt, true, 0}).error ==
        "job 7 is no longer known to Slurm and left no exit record");
  // Out of resubmits: the cluster's end is the run's end, and the message says so.
  ExitStatus killed;
  killed.kind = ExitStatus::Kind::Signaled;
  killed.signal = SIGTERM;
  status = judge_job_end(none, JobEnd{"9", "TIMEOUT", "TimeLimit", killed, true, 20});
  CHECK(status.kind == ExitStatus::Kind::Signaled);
  CHECK(status.error == "job 9 ended with TIMEOUT after 20 resubmits");
}
