// bench-lcbench-regret: rungs' schedulers on realistic learning curves (issue 12 point 4), run
// as a user runs them: one campaign YAML per (task, seed, method), `rungs run`, one
// `lcbench_trial` process per run (../shared/lcbench: the YAHPO Gym LCBench surrogate, 28
// OpenML tasks, 52 epochs; Apache-2.0 weights, attribution in its README).
//
// Budget is counted from the trials' own ledger (one line per epoch really computed, appended
// before the epoch is printed), never from what rungs believes it charged. When the ledger holds
// --budget x 52 epochs the campaign is interrupted (SIGINT, as Ctrl-C would); schedules are
// otherwise unbounded.
//
// Regret at B epochs: the best val_loss among the configurations that reached epoch 52 within
// the ledger's first B lines, normalized per task as (v - best) / (median - best) with the
// task's best known value and the median over random configurations (reference.json). Before
// any configuration has reached epoch 52 the regret is 1 (the median configuration's).
// Reported at 5, 10, 25, 50 and 100 x 52 epochs, mean ± standard error over tasks x seeds.
//
// rungs' own CPU per run launched: user + system time of the `rungs` process alone (read from
// /proc/PID/stat while it is a zombie, before it is reaped, so its children are not included)
// divided by the runs it launched (the store's runs). Trials and supervisors are excluded.
//
// The surrogate's epochs take no time: a run lasts its process start, however many epochs it
// trains. With one worker that changes nothing (every decision follows the previous run's end).
// With several, a long run then fills the ledger as fast as a short one, which real training
// does not; --sleep-per-epoch S makes each epoch take S seconds, so runs out at once advance in
// proportion to their epochs.
//
// Each campaign's figures are kept in its folder (result.json): running the bench again with
// another method or more seeds runs only what is missing.
//
//   cmake --build build --target bench-lcbench-regret
//   build/bin/bench-lcbench-regret [--seeds 5] [--tasks all] [--methods random,hyperband,bohb,asha_tpe,freeze_thaw,freeze_thaw_tpe]
//       [--budget 100] [--workers 1] [--jobs 2] [--sleep-per-epoch S] [--work-dir /tmp/rungs-lcbench]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <cstring>
#include <thread>
#include <vector>

#include "bench/sample_stats.hpp"
#include "store/store.hpp"

extern char** environ;

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kEpochs = 52;
const std::vector<int> kMultiples = {5, 10, 25, 50, 100};

// The scheduler and optimizer sections of each compared method. Random search runs every
// configuration to 52 epochs (successive halving's bracket 0); the others use LCBench's usual
// ladder, eta 3 from 52/27 epochs: 2, 6, 18 and 52 epochs.
const std::string kFreezeThawScheduler =
    "scheduler: {type: freeze_thaw, max_trials: 100000, max_concurrent: {workers}{ft_options}}\n";
const std::map<std::string, std::string> kMethods = {
    {"random", "scheduler: {type: successive_halving, bracket: 0, iterations: 100000, max_concurrent: {workers}}\n"
               "optimizer: random\n"},
    {"hyperband", "scheduler: {type: hyperband, eta: 3, iterations: 100000, max_concurrent: {workers}}\n"
                  "optimizer: random\n"},
    {"bohb", "scheduler: {type: hyperband, eta: 3, iterations: 100000, max_concurrent: {workers}}\n"
             "optimizer: tpe\n"},
    {"asha_tpe", "scheduler: {type: asha, eta: 3, max_trials: 100000, max_concurrent: {workers}}\n"
                 "optimizer: tpe\n"},
    // Freeze-thaw with deep power laws (scheduler/freeze_thaw.hpp, its defaults: EI per cost) on
    // linear levels of 2 epochs; new configurations from random samples scored by the model.
    {"freeze_thaw", kFreezeThawScheduler + "optimizer: random\n"},
    // The same, with TPE's proposal among the candidates the model scores.
    {"freeze_thaw_tpe", kFreezeThawScheduler + "optimizer: tpe\n"},
};

// The budget section: LCBench's usual eta-3 ladder, or a method's own (freeze-thaw advances
// runs 2 epochs at a time).
const std::string kLadderBudget = "budget:\n  min: 1.92\n  max: 52\n  dimensions:\n"
                                  "    epochs: {type: int, growth: continued, min: 2, max: 52}\n";
const std::string kStepBudget = "budget:\n  min: 2\n  max: 52\n  step: 2\n  dimensions:\n"
                                "    epochs: {type: int, growth: continued, min: 2, max: 52}\n";
const std::map<std::string, std::string> kBudgets = {{"freeze_thaw", kStepBudget}, {"freeze_thaw_tpe", kStepBudget}};

std::string replace_all(std::string text, const std::string& what, const std::string& with) {
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + with.size()))
    text.replace(at, what.size(), with);
  return text;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

std::string campaign_yaml(const std::string& task, int seed, const std::string& method, int workers,
                          const fs::path& trial_program, const std::string& ft_options, const std::string& sleep) {
  auto schedule = replace_all(kMethods.at(method), "{workers}", std::to_string(workers));
  schedule = replace_all(schedule, "{ft_options}", ft_options.empty() ? "" : ", " + ft_options);
  return fmt::format(R"(name: lcbench-{task}-{method}-{seed}
seed: {seed}
metric: {{name: val_loss, mode: min}}
space:
  batch_size:    {{type: int, low: 16, high: 512, log: true}}
  learning_rate: {{type: float, low: 1.0e-4, high: 0.1, log: true}}
  momentum:      {{type: float, low: 0.1, high: 0.99}}
  weight_decay:  {{type: float, low: 1.0e-5, high: 0.1}}
  num_layers:    {{type: int, low: 1, high: 5}}
  max_units:     {{type: int, low: 64, high: 1024, log: true}}
  max_dropout:   {{type: float, low: 0.0, high: 1.0}}
{budget}{schedule}trial:
  command: ["{program}", --task, "{task}", --epochs, "{{epochs}}",
            --batch_size, "{{batch_size}}", --learning_rate, "{{learning_rate}}", --momentum, "{{momentum}}",
            --weight_decay, "{{weight_decay}}", --num_layers, "{{num_layers}}", --max_units, "{{max_units}}",
            --max_dropout, "{{max_dropout}}", --trial-dir, "{{trial_dir}}", --ledger, "{{campaign_dir}}/ledger.txt",
            --prefix, "@rungs ", --format, '{{{{"step": {{{{epoch}}}}, "val_loss": {{{{val_loss}}}}}}}}'{sleep}]
  timeout: 60s
)",
                     fmt::arg("task", task), fmt::arg("seed", seed), fmt::arg("method", method),
                     fmt::arg("budget", kBudgets.count(method) ? kBudgets.at(method) : kLadderBudget),
                     fmt::arg("schedule", schedule),
                     fmt::arg("program", trial_program.string()),
                     fmt::arg("sleep", sleep.empty() ? "" : ", --sleep-per-epoch, \"" + sleep + "\""));
}

struct Reference {
  double best = 0;
  double median = 1;
};

// One campaign being run: its `rungs run` process and how far its ledger has got.
struct Campaign {
  std::string task, method;
  int seed = 0;
  fs::path dir;
  pid_t pid = -1;
  std::uintmax_t ledger_lines = 0;
  std::uintmax_t ledger_offset = 0;
  bool interrupted = false;
  std::chrono::steady_clock::time_point started{};
};

pid_t spawn_rungs(const fs::path& rungs, const fs::path& dir) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  const auto out = (dir / "rungs.out").string();
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  const auto program = rungs.string(), yaml = (dir / "campaign.yaml").string(), output = (dir / "run").string();
  std::vector<const char*> argv = {program.c_str(), "run", yaml.c_str(), "--output", output.c_str(), "--quiet", nullptr};
  pid_t pid = -1;
  const int error = posix_spawn(&pid, program.c_str(), &actions, nullptr, const_cast<char* const*>(argv.data()), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) throw std::runtime_error(fmt::format("cannot start {}: {}", program, std::strerror(error)));
  return pid;
}

// Counts the ledger lines written since the last call (the file only grows).
void follow_ledger(Campaign& campaign) {
  std::ifstream in(campaign.dir / "ledger.txt", std::ios::binary);
  if (!in) return;
  in.seekg(static_cast<std::streamoff>(campaign.ledger_offset));
  std::string chunk((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto last_newline = chunk.rfind('\n');
  if (last_newline == std::string::npos) return;
  campaign.ledger_lines += static_cast<std::uintmax_t>(std::count(chunk.begin(), chunk.begin() + last_newline + 1, '\n'));
  campaign.ledger_offset += last_newline + 1;
}

// CPU seconds (user + system) of an exited, not yet reaped process: its own, not its children's.
double zombie_cpu_seconds(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/stat", pid));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // field 3 onwards
  std::vector<std::string> f(13);
  for (auto& field : f) fields >> field;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::stod(f[11]) + std::stod(f[12])) / ticks;  // fields 14 utime, 15 stime
}

json regrets_of(const fs::path& ledger, std::uintmax_t budget_epochs, const Reference& reference) {
  std::ifstream in(ledger);
  std::vector<double> at(kMultiples.size(), 1.0);
  double best = std::numeric_limits<double>::infinity();
  std::uintmax_t line_number = 0;
  std::size_t next = 0;
  auto regret = [&] { return std::isfinite(best) ? (best - reference.best) / (reference.median - reference.best) : 1.0; };
  for (std::string line; std::getline(in, line) && line_number < budget_epochs;) {
    ++line_number;
    std::istringstream fields(line);
    std::string task, hash;
    int epoch = 0;
    double value = 0;
    fields >> task >> hash >> epoch >> value;
    if (epoch == kEpochs) best = std::min(best, value);
    while (next < kMultiples.size() && line_number == static_cast<std::uintmax_t>(kMultiples[next]) * kEpochs)
      at[next++] = regret();
  }
  for (; next < kMultiples.size(); ++next) at[next] = regret();  // the ledger ended first
  return json{{"regret", at}, {"epochs", line_number}};
}

// Ctrl-C or kill of the bench: its campaigns are stopped as Ctrl-C stops them (their trials
// with them), none is left running, and none is cached (a stopped campaign has no result).
volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) { stop_requested = 1; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rungs' schedulers on the LCBench surrogate, through `rungs run`"};
  int seeds = 5, budget = 100, workers = 1, jobs = 2;
  std::string tasks_option = "all", methods_option = "random,hyperband,bohb,asha_tpe", ft_options, sleep;
  fs::path work_dir = "/tmp/rungs-lcbench";
  fs::path lcbench_dir = RUNGS_LCBENCH_DIR;
  const fs::path bin = fs::canonical("/proc/self/exe").parent_path();
  fs::path rungs = bin / "rungs", trial_program = bin / "lcbench_trial";
  app.add_option("--seeds", seeds, "seeds 0..N-1 per task and method")->check(CLI::PositiveNumber);
  app.add_option("--tasks", tasks_option, "comma-separated OpenML task ids, or all (the 28)");
  app.add_option("--methods", methods_option, "comma-separated: random, hyperband, bohb, asha_tpe, freeze_thaw, freeze_thaw_tpe");
  app.add_option("--budget", budget, "epochs per campaign, in multiples of 52")->check(CLI::PositiveNumber);
  app.add_option("--workers", workers, "scheduler.max_concurrent")->check(CLI::PositiveNumber);
  app.add_option("--jobs", jobs, "campaigns run at once")->check(CLI::PositiveNumber);
  app.add_option("--freeze-thaw-options", ft_options,
                 "extra keys of freeze_thaw's scheduler section, YAML flow style (\"initial: 3, train_steps: 10\"); "
                 "use a --work-dir of their own");
  app.add_option("--sleep-per-epoch", sleep,
                 "seconds each epoch takes (lcbench_trial --sleep-per-epoch): runs out at once then advance in "
                 "proportion to their epochs, as real training does; use a --work-dir of its own")
      ->check(CLI::PositiveNumber);
  app.add_option("--work-dir", work_dir, "campaign folders; results found there are reused");
  app.add_option("--lcbench-dir", lcbench_dir, "the LCBench folder (reference.json)");
  app.add_option("--rungs", rungs, "the rungs binary");
  app.add_option("--trial-program", trial_program, "the lcbench_trial binary");
  CLI11_PARSE(app, argc, argv);

  std::map<std::string, Reference> references;
  std::vector<std::string> all_tasks;
  {
    std::ifstream in(lcbench_dir / "reference.json");
    if (!in) throw std::runtime_error(fmt::format("cannot read {}", (lcbench_dir / "reference.json").string()));
    const auto reference = json::parse(in);
    for (const auto& [task, entry] : reference.at("tasks").items()) {
      references[task] = {entry.at("best_val_loss").get<double>(), entry.at("median_val_loss").get<double>()};
      all_tasks.push_back(task);
    }
  }
  const auto tasks = tasks_option == "all" ? all_tasks : split(tasks_option);
  const auto methods = split(methods_option);
  for (const auto& method : methods)
    if (!kMethods.count(method)) throw std::runtime_error(fmt::format("unknown method {}", method));
  for (const auto& task : tasks)
    if (!references.count(task)) throw std::runtime_error(fmt::format("unknown task {}", task));

  const auto budget_epochs = static_cast<std::uintmax_t>(budget) * kEpochs;
  std::vector<Campaign> pending;
  for (const auto& method : methods)
    for (const auto& task : tasks)
      for (int seed = 0; seed < seeds; ++seed) {
        Campaign campaign;
        campaign.task = task;
        campaign.method = method;
        campaign.seed = seed;
        campaign.dir = work_dir / fmt::format("{}-w{}-b{}", method, workers, budget) / fmt::format("{}-{}", task, seed);
        if (fs::exists(campaign.dir / "result.json")) continue;
        fs::remove_all(campaign.dir);
        fs::create_directories(campaign.dir);
        std::ofstream(campaign.dir / "campaign.yaml") << campaign_yaml(task, seed, method, workers, trial_program, ft_options, sleep);
        pending.push_back(std::move(campaign));
      }
  fmt::print("{} campaigns to run ({} x {} epochs each), {} at once\n", pending.size(), budget, kEpochs, jobs);

  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  std::vector<Campaign> running;
  std::size_t done = 0, failures = 0;
  while (!pending.empty() || !running.empty()) {
    if (stop_requested) {
      for (auto& campaign : running) ::kill(campaign.pid, SIGINT);
      for (auto& campaign : running) ::waitpid(campaign.pid, nullptr, 0);
      fmt::print(stderr, "bench-lcbench-regret: stopped; {} campaign(s) were running (not cached)\n", running.size());
      return 130;
    }
    while (!pending.empty() && running.size() < static_cast<std::size_t>(jobs)) {
      auto campaign = std::move(pending.back());
      pending.pop_back();
      campaign.started = std::chrono::steady_clock::now();
      campaign.pid = spawn_rungs(rungs, campaign.dir);
      running.push_back(std::move(campaign));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    for (auto it = running.begin(); it != running.end();) {
      auto& campaign = *it;
      follow_ledger(campaign);
      if (!campaign.interrupted && campaign.ledger_lines >= budget_epochs) {
        ::kill(campaign.pid, SIGINT);  // as Ctrl-C: rungs stops its trials and records them
        campaign.interrupted = true;
      }
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(campaign.pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 || info.si_pid == 0) {
        ++it;
        continue;
      }
      const double cpu = zombie_cpu_seconds(campaign.pid);
      ::waitpid(campaign.pid, nullptr, 0);
      const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - campaign.started).count();
      const bool exited_badly = info.si_code != CLD_EXITED || info.si_status != 0;
      const auto runs = fs::exists(campaign.dir / "run" / "rungs.db")
                            ? rungs::store::CampaignStore::open(campaign.dir / "run", /*read_only=*/true).runs().size()
                            : 0;
      if (runs == 0 || (exited_badly && !campaign.interrupted)) {
        // Never cached: a broken setup (e.g. rungs-supervisor not beside rungs) must not pass
        // for a result. rungs.out says why.
        fmt::print(stderr, "{} task {} seed {}: rungs ended before the budget ({} runs, {}); see {}\n", campaign.method,
                   campaign.task, campaign.seed, runs,
                   info.si_code == CLD_EXITED ? fmt::format("exit {}", info.si_status) : fmt::format("signal {}", info.si_status),
                   (campaign.dir / "rungs.out").string());
        ++failures;
        it = running.erase(it);
        continue;
      }
      auto result = regrets_of(campaign.dir / "ledger.txt", budget_epochs, references.at(campaign.task));
      result["rungs_cpu_s"] = cpu;
      result["runs"] = runs;
      result["wall_s"] = wall;
      result["interrupted"] = campaign.interrupted;
      std::ofstream(campaign.dir / "result.json") << result.dump() << "\n";
      fmt::print("[{}] {} task {} seed {}: regret@100 {:.4f}, {} runs, rungs cpu {:.2f} ms/run, {:.1f} s\n", ++done,
                 campaign.method, campaign.task, campaign.seed, result["regret"].back().get<double>(), runs,
                 runs ? 1e3 * cpu / static_cast<double>(runs) : 0.0, wall);
      std::fflush(stdout);
      it = running.erase(it);
    }
  }

  if (failures > 0) {
    fmt::print(stderr, "bench-lcbench-regret: {} campaign(s) failed; no table\n", failures);
    return 1;
  }
  fmt::print("\nNormalized regret (mean ± standard error over {} tasks x {} seeds), budget in multiples of 52 epochs; "
             "{} worker(s)\n",
             tasks.size(), seeds, workers);
  std::vector<int> shown;  // the multiples the budget reaches
  for (int multiple : kMultiples)
    if (multiple <= budget) shown.push_back(multiple);
  std::string separator;
  for (std::size_t i = 0; i < shown.size(); ++i) separator += "---|";
  fmt::print("| method | {} | rungs CPU per run | runs |\n|---|{}---|---|\n", fmt::join(shown, " | "), separator);
  for (const auto& method : methods) {
    std::vector<rungs::bench::SampleStats> regret(kMultiples.size());
    rungs::bench::SampleStats cpu_per_run, runs;
    for (const auto& task : tasks)
      for (int seed = 0; seed < seeds; ++seed) {
        std::ifstream in(work_dir / fmt::format("{}-w{}-b{}", method, workers, budget) / fmt::format("{}-{}", task, seed) /
                         "result.json");
        const auto result = json::parse(in);
        for (std::size_t i = 0; i < kMultiples.size(); ++i) regret[i].add(result["regret"][i].get<double>());
        const auto n = result["runs"].get<double>();
        if (n > 0) cpu_per_run.add(1e3 * result["rungs_cpu_s"].get<double>() / n);
        runs.add(n);
      }
    std::string cells;
    for (std::size_t i = 0; i < shown.size(); ++i) cells += fmt::format(" {:.4f} ± {:.4f} |", regret[i].mean(), regret[i].se());
    fmt::print("| {} |{} {:.2f} ms | {:.0f} |\n", method, cells, cpu_per_run.mean(), runs.mean());
  }
  return 0;
}
