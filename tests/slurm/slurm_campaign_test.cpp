// Whole campaigns on the test cluster through the `rungs` program, as a user runs them (issue
// 13): the quickstart with only a runner section appended, early stops, SIGKILL then resume,
// a job chained past its time limit, Ctrl-C. Each reads what rungs left (the store through
// `rungs export`, the run records trials/*/run-N.record) and what Slurm says (`squeue -t all`:
// MinJobAge=3600 keeps every ended job listed for the whole suite).
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <regex>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "runners/slurm_run_record.hpp"
#include "tests/slurm/slurm_commands.hpp"

using namespace rungs::testing::slurm;
using nlohmann::json;

namespace {

const fs::path kBin = RUNGS_BIN_DIR;
const fs::path kQuickstart = fs::path(RUNGS_SOURCE_DIR) / "examples/01_quickstart";

// `rungs ARGS...` in `cwd`, stdout and stderr into `log`; the pid, not waited for.
pid_t spawn_rungs(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& log) {
  const std::string program = (kBin / "rungs").string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    FILE* out = std::fopen(log.c_str(), "w");
    if (out == nullptr) ::_exit(126);
    ::dup2(::fileno(out), 1);
    ::dup2(::fileno(out), 2);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    ::execv(program.c_str(), argv.data());
    ::_exit(127);
  }
  REQUIRE(pid > 0);
  return pid;
}

// Exit code of the child (128 + signal if a signal ended it).
int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// `rungs ARGS...` to its end; the log is shown if it did not exit 0.
void run_rungs(const std::vector<std::string>& args, const fs::path& cwd, const std::string& log_name) {
  const auto log = cwd / log_name;
  const int code = wait_exit(spawn_rungs(args, cwd, log));
  INFO("rungs " << args.front() << " log:\n" << read_file(log));
  REQUIRE(code == 0);
}

// A campaign name no earlier run on this cluster used (the jobs are named after it).
std::string unique_name(const std::string& stem) {
  std::random_device device;
  return fmt::format("{}-{:06x}", stem, device() & 0xffffff);
}

// A campaign of fake trials: parameter x in [1, 10], the budget dimension `steps` (continued)
// from min_steps to max_steps (one level if they are equal), the given scheduler and trial
// command arguments (after the fake_trial program), runs as Slurm jobs.
std::string fake_campaign(const std::string& name, const std::string& scheduler, const std::string& arguments,
                          int min_steps, int max_steps, const std::string& runner = "{type: slurm, poll: 1s, time: 10m}") {
  return fmt::format(
      "name: {}\nseed: 3\nmetric: {{name: loss, mode: min}}\n"
      "space:\n  x: {{type: float, low: 1, high: 10}}\n"
      "budget:\n  min: 1\n  max: {}\n  dimensions:\n"
      "    steps: {{type: int, growth: continued, min: {}, max: {}}}\n"
      "scheduler: {}\n"
      "trial:\n  command: [{}, {}]\n  timeout: 10m\n"
      "runner: {}\n",
      name, max_steps / min_steps, min_steps, max_steps, scheduler, (kBin / "fake_trial").string(), arguments, runner);
}

// The campaign's store as `rungs export --format json` writes it: trials, runs, reports.
struct Exported {
  json trials, runs, reports;
};

Exported export_campaign(const fs::path& output) {
  run_rungs({"export", output.string(), "--format", "json", "--output", (output / "export").string()},
            output.parent_path(), "export.log");
  auto load = [&](const char* table) { return json::parse(read_file(output / "export" / (std::string(table) + ".json"))); };
  return {load("trials"), load("runs"), load("reports")};
}

// Every run record the campaign wrote (trials/*/run-N.record), by path.
std::map<fs::path, rungs::runners::SlurmRunRecord> run_records(const fs::path& output) {
  static const std::regex record_name(R"(run-[0-9]+\.record)");
  std::map<fs::path, rungs::runners::SlurmRunRecord> records;
  for (const auto& entry : fs::recursive_directory_iterator(output / "trials")) {
    if (!std::regex_match(entry.path().filename().string(), record_name)) continue;
    auto record = rungs::runners::read_slurm_record(entry.path());
    REQUIRE_MESSAGE(record.has_value(), entry.path() << " is not a Slurm run record: " << read_file(entry.path()));
    records[entry.path()] = *record;
  }
  return records;
}

struct Job {
  std::string name, state;
};

// Every job the cluster knows (any state), by id.
std::map<std::string, Job> all_jobs() {
  const auto listed = run("squeue", {"-h", "-t", "all", "-o", "%i|%j|%T"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  std::map<std::string, Job> jobs;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find('|'), last = line.rfind('|');
    if (first == std::string::npos || first == last) continue;
    jobs[line.substr(0, first)] = {line.substr(first + 1, last - first - 1), line.substr(last + 1)};
  }
  return jobs;
}

// The jobs whose name starts with the campaign's name and "-t" (dispatcher: NAME-tT-rR-suffix).
std::map<std::string, Job> campaign_jobs(const std::string& campaign) {
  auto jobs = all_jobs();
  std::erase_if(jobs, [&](const auto& job) { return job.second.name.rfind(campaign + "-t", 0) != 0; });
  return jobs;
}

std::size_t count_state(const std::map<std::string, Job>& jobs, const std::string& state) {
  return static_cast<std::size_t>(
      std::count_if(jobs.begin(), jobs.end(), [&](const auto& job) { return job.second.state == state; }));
}

// `squeue -h -t all --name=NAME -o %i`, as a set of ids.
std::set<std::string> jobs_named(const std::string& name) {
  const auto listed = run("squeue", {"-h", "-t", "all", "--name=" + name, "-o", "%i"});
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  std::set<std::string> ids;
  std::istringstream lines(listed.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) ids.insert(line);
  return ids;
}

// Waits until `done()` holds; fails the test after a deadline (a hang, not slowness).
template <typename Condition>
void wait_until(Condition done, std::chrono::milliseconds typical, const std::string& what) {
  const auto until = std::chrono::steady_clock::now() + rungs::testing::deadline(typical);
  while (!done() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  REQUIRE_MESSAGE(done(), "still waiting for " << what);
}

// The runs of `trial` in the store, and the steps `run` reported, in order.
std::vector<int> steps_of(const json& reports, int trial, int run) {
  std::vector<int> steps;
  for (const auto& report : reports)
    if (report["trial"] == trial && report["run"] == run) steps.push_back(report["step"].get<int>());
  return steps;
}

}  // namespace

TEST_CASE("slurm campaign: the quickstart with a runner section appended runs as Slurm jobs, like a local run") {
  const auto dir = work_dir("campaign_quickstart");
  // The example's folder as a user copies it (the YAML finds its data beside it), the campaign
  // file unchanged but for the runner section at its end.
  // Hyperband with random search over geometric levels, whose decisions do not depend on the
  // order in which two concurrent runs end (the quickstart's freeze-thaw + TPE does), so that
  // both runs must agree.
  fs::copy(kQuickstart / "data", dir / "data", fs::copy_options::recursive);
  auto yaml = read_file(kQuickstart / "campaign.yaml");
  for (const auto& [from, to] :
       {std::pair<std::string, std::string>{"  type: freeze_thaw\n", "  type: hyperband\n"},
        {"  step: 2\n", ""},
        {"data_fraction: {type: float, min: 0.25, max: 1.0,", "data_fraction: {type: float, values: [0.25, 0.5, 1, 1],"},
        {"optimizer: tpe\n", "optimizer: random\n"},
        {"limits: {cost: 330}\n", ""}}) {
    const auto at = yaml.find(from);
    REQUIRE_MESSAGE(at != std::string::npos, from);
    yaml.replace(at, from.size(), to);
  }
  write_script(dir / "local.yaml", yaml);
  write_script(dir / "campaign.yaml", yaml + "runner: {type: slurm, poll: 1s, time: 10m}\n");
  run_rungs({"run", "campaign.yaml", "--output", "slurm", "--quiet"}, dir, "slurm.log");
  run_rungs({"run", "local.yaml", "--output", "local", "--quiet"}, dir, "local.log");

  const auto slurm = export_campaign(dir / "slurm");
  const auto local = export_campaign(dir / "local");
  CHECK(slurm.trials.size() == local.trials.size());
  CHECK(slurm.runs.size() == local.runs.size());
  CHECK(slurm.reports.size() == local.reports.size());
  CHECK(slurm.runs.size() > 50);  // Hyperband over 4 levels, not a truncated campaign

  // The trainer is deterministic (seeded by the trial id) and so is Hyperband: the same best.
  const auto best_slurm = json::parse(read_file(dir / "slurm" / "best.json"));
  const auto best_local = json::parse(read_file(dir / "local" / "best.json"));
  INFO("best, Slurm: " << best_slurm.dump() << "\nbest, local: " << best_local.dump());
  CHECK(best_slurm["trial"] == best_local["trial"]);
  CHECK(best_slurm["value"] == best_local["value"]);

  // Each run was one job, and Slurm saw every one complete.
  const auto records = run_records(dir / "slurm");
  CHECK(records.size() == slurm.runs.size());
  const auto jobs = all_jobs();
  std::set<std::string> ids;
  for (const auto& [path, record] : records) {
    INFO(path);
    CHECK(record.collected);
    REQUIRE(record.jobs.size() == 1);
    ids.insert(record.jobs.front());
    const auto job = jobs.find(record.jobs.front());
    REQUIRE(job != jobs.end());
    CHECK(job->second.state == "COMPLETED");
    CHECK(job->second.name == record.name);
  }
  CHECK(ids.size() == records.size());  // no job shared by two runs
  CHECK_FALSE(fs::exists(dir / "local" / "slurm-job.sh"));
}

TEST_CASE("slurm campaign: runs stopped early by the scheduler are CANCELLED jobs and stopped runs in the store") {
  const auto dir = work_dir("campaign_early_stop");
  const auto name = unique_name("stops");
  // ASHA in stopping mode: every trial runs for 9 steps of 1 s, and one whose step 1 or 3 is
  // not in the best third is stopped then, seconds before it would end by itself.
  write_script(dir / "campaign.yaml",
               fake_campaign(name, "{type: asha, mode: stopping, max_trials: 8, max_concurrent: 4}",
                             R"(report, "{steps}", --sleep-ms, "1000", --scale, "{x}")", 1, 9));
  run_rungs({"run", "campaign.yaml", "--output", "out", "--quiet"}, dir, "run.log");

  const auto store = export_campaign(dir / "out");
  const auto records = run_records(dir / "out");
  const auto jobs = campaign_jobs(name);
  REQUIRE(store.runs.size() == 8);
  REQUIRE(records.size() == 8);
  CHECK(jobs.size() == 8);
  std::map<std::pair<int, int>, std::string> job_of_run;  // (trial, run) -> job id
  for (const auto& [path, record] : records) {
    REQUIRE(record.jobs.size() == 1);
    const auto trial = std::stoi(path.parent_path().filename().string());
    const auto run = std::stoi(path.stem().string().substr(4));
    job_of_run[{trial, run}] = record.jobs.front();
  }
  int cut_short = 0;
  for (const auto& run : store.runs) {
    const int trial = run["trial"].get<int>(), number = run["run"].get<int>();
    const auto job = job_of_run.at({trial, number});
    REQUIRE(jobs.count(job) == 1);
    const auto& state = jobs.at(job).state;
    const auto steps = steps_of(store.reports, trial, number);
    INFO("trial " << trial << " run " << number << ": job " << job << " " << state << ", " << steps.size() << " steps");
    if (run["stopped_by_scheduler"].get<int>() == 1 && steps.size() < 9) {
      ++cut_short;
      CHECK(state == "CANCELLED");  // scancel, not a job that ran out
    }
    if (state == "CANCELLED") CHECK(run["stopped_by_scheduler"].get<int>() == 1);
    if (run["stopped_by_scheduler"].get<int>() == 0) {
      CHECK(state == "COMPLETED");
      CHECK(steps.size() == 9);
    }
  }
  CHECK(cut_short >= 1);
  CHECK(count_state(jobs, "CANCELLED") == static_cast<std::size_t>(cut_short));
  std::size_t stopped_trials = 0;
  for (const auto& trial : store.trials) stopped_trials += trial["state"] == "stopped";
  CHECK(stopped_trials >= static_cast<std::size_t>(cut_short));
}

TEST_CASE("slurm campaign: after SIGKILL of rungs, resume follows the jobs it submitted and reads every result") {
  const auto dir = work_dir("campaign_sigkill");
  const auto name = unique_name("killed");
  // Twelve one-level trials of 6 steps (1.5 s each) at once on 8 CPUs: some run, some wait.
  write_script(dir / "campaign.yaml",
               fake_campaign(name, "{type: asha, max_trials: 12, max_concurrent: 12}",
                             R"(report, "{steps}", --sleep-ms, "1500", --scale, "{x}")", 6, 6));
  const pid_t rungs = spawn_rungs({"run", "campaign.yaml", "--output", "out", "--quiet"}, dir, dir / "run.log");
  wait_until([&] { return count_state(campaign_jobs(name), "RUNNING") >= 4; }, std::chrono::seconds(10),
             "4 jobs of the campaign RUNNING");
  REQUIRE(::kill(rungs, SIGKILL) == 0);
  REQUIRE(wait_exit(rungs) == 128 + SIGKILL);
  const auto before = campaign_jobs(name);
  // Some jobs end while no rungs watches them: their results must still be read.
  wait_until([&] { return count_state(campaign_jobs(name), "COMPLETED") >= 1; }, std::chrono::seconds(10),
             "a job of the campaign to complete while rungs is dead");
  run_rungs({"resume", "out", "--quiet"}, dir, "resume.log");

  const auto store = export_campaign(dir / "out");
  const auto records = run_records(dir / "out");
  const auto jobs = campaign_jobs(name);
  INFO("jobs at the kill: " << before.size() << ", now: " << jobs.size());
  CHECK(store.trials.size() == 12);
  REQUIRE(store.runs.size() == 12);
  CHECK(records.size() == 12);
  CHECK(jobs.size() == 12);  // one job per run: none submitted twice
  CHECK(count_state(jobs, "COMPLETED") == 12);
  for (const auto& [path, record] : records) {
    INFO(path << ": " << record.name);
    CHECK(record.collected);
    CHECK(record.jobs.size() == 1);
    CHECK(record.resubmits == 0);
    CHECK(jobs_named(record.name) == std::set<std::string>(record.jobs.begin(), record.jobs.end()));
  }
  for (const auto& run : store.runs) {
    const int trial = run["trial"].get<int>(), number = run["run"].get<int>();
    INFO("trial " << trial << " run " << number << ": " << run.dump());
    CHECK_FALSE(run["ended"].is_null());
    CHECK(run["exit_code"] == 0);
    CHECK(steps_of(store.reports, trial, number) == std::vector<int>{1, 2, 3, 4, 5, 6});  // each once
  }
  for (const auto& trial : store.trials) CHECK(trial["state"] == "completed");
}

TEST_CASE("slurm campaign: a job that reaches its time limit continues from its checkpoint in the next job, one run") {
  const auto dir = work_dir("campaign_time_limit");
  const auto name = unique_name("chained");
  // 100 steps of 1 s under `time: 1` (one minute, the shortest Slurm has; TIMEOUT comes 60 to
  // 90 s after the start): the first job cannot finish, the second can.
  write_script(dir / "campaign.yaml",
               fake_campaign(name, "{type: asha, max_trials: 1, max_concurrent: 1}",
                             R"(checkpointed, "{steps}", "1000", "{trial_dir}/checkpoint")", 100, 100,
                             "{type: slurm, poll: 1s, time: 1}"));
  run_rungs({"run", "campaign.yaml", "--output", "out", "--quiet"}, dir, "run.log");

  const auto store = export_campaign(dir / "out");
  REQUIRE(store.runs.size() == 1);  // the chain is one run
  const auto& run = store.runs.front();
  INFO(run.dump());
  CHECK(run["exit_code"] == 0);
  CHECK(run["failure"].is_null());
  CHECK(store.trials.front()["state"] == "completed");

  const auto records = run_records(dir / "out");
  REQUIRE(records.size() == 1);
  const auto& record = records.begin()->second;
  REQUIRE(record.jobs.size() == 2);
  CHECK(record.resubmits == 1);
  CHECK(jobs_named(record.name) == std::set<std::string>(record.jobs.begin(), record.jobs.end()));
  CHECK(job_state(record.jobs[0]) == "TIMEOUT");
  CHECK(job_state(record.jobs[1]) == "COMPLETED");

  // The second job started with RUNGS_RELAUNCH=1 after the checkpointed step, not from 0.
  const auto log = read_file(dir / "out" / "trials" / "0001" / "stdout.log");
  INFO(log);
  CHECK(log.find("continuing after step 0 (RUNGS_RELAUNCH=)\n") != std::string::npos);
  static const std::regex continued(R"(continuing after step ([0-9]+) \(RUNGS_RELAUNCH=1\))");
  std::smatch match;
  REQUIRE(std::regex_search(log, match, continued));
  CHECK(std::stoi(match[1]) > 0);
  // Every step recorded once, in order: the step the trial reports again on relaunch (the
  // trial protocol) is dropped as a repeat.
  std::vector<int> expected(100);
  std::iota(expected.begin(), expected.end(), 1);
  const auto steps = steps_of(store.reports, 1, 1);
  INFO("steps recorded: " << fmt::format("{}", fmt::join(steps, " ")));
  CHECK(steps == expected);
}

TEST_CASE("slurm campaign: Ctrl-C cancels the campaign's running and queued jobs, and only them") {
  const auto dir = work_dir("campaign_ctrl_c");
  const auto name = unique_name("interrupted");
  // A job of someone else, submitted outside the campaign: it must survive.
  const auto outside = submit({"--no-requeue", "--chdir", dir.string(), "-o", "/dev/null", "--job-name",
                               name + "-outside", "--wrap", "sleep 600"});
  wait_for_state(outside, "RUNNING");
  // Twelve trials of a minute at once on the 7 CPUs left: 7 RUNNING, 5 PENDING.
  write_script(dir / "campaign.yaml",
               fake_campaign(name, "{type: asha, max_trials: 12, max_concurrent: 12}",
                             R"(report, "{steps}", --sleep-ms, "1000", --scale, "{x}")", 60, 60));
  const pid_t rungs = spawn_rungs({"run", "campaign.yaml", "--output", "out", "--quiet"}, dir, dir / "run.log");
  wait_until(
      [&] {
        const auto jobs = campaign_jobs(name);
        return count_state(jobs, "RUNNING") >= 4 && count_state(jobs, "PENDING") >= 1;
      },
      std::chrono::seconds(10), "jobs of the campaign RUNNING and PENDING");
  REQUIRE(::kill(rungs, SIGINT) == 0);
  const int code = wait_exit(rungs);
  INFO(read_file(dir / "run.log"));
  CHECK(code == 130);

  const auto jobs = campaign_jobs(name);
  CHECK(jobs.size() == 12);
  for (const auto& [id, job] : jobs) {
    INFO("job " << id << " " << job.name);
    CHECK(job.state != "PENDING");
    CHECK(job.state != "RUNNING");
  }
  CHECK(count_state(jobs, "CANCELLED") == jobs.size());
  CHECK(job_state(outside) == "RUNNING");
  run("scancel", {outside});
}
