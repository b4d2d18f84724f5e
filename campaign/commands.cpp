#include "campaign/commands.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "campaign/best_summary.hpp"
#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_lock.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/factory.hpp"
#include "campaign/program_check.hpp"
#include "campaign/slurm_check.hpp"
#include "runners/local_runner.hpp"
#include "runners/slurm_runner.hpp"
#include "store/store.hpp"
#include "text/safe_text.hpp"

namespace rungs::campaign {

namespace fs = std::filesystem;

namespace {

// The folder of the running rungs binary: trial programs named without a path are also
// looked for there (after PATH), so example campaigns work from a build tree.
fs::path own_directory() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

// RunFlags::programs, or the binary's folder.
fs::path program_directory(const std::string& programs) {
  return programs.empty() ? own_directory() : fs::path(programs);
}

// "42 s", "12.5 min", "7.3 h", "2.1 days": virtual makespans span all of these.
std::string human_duration(double seconds) {
  if (seconds < 120) return fmt::format("{:.3g} s", seconds);
  if (seconds < 2 * 3600) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 48 * 3600) return fmt::format("{:.1f} h", seconds / 3600);
  return fmt::format("{:.1f} days", seconds / 86400);
}

void print_results_hint(const fs::path& output) {
  fmt::print("Results in {}\n", output.string());
  fmt::print("Look at them: rungs status {0} | rungs report {0} | rungs export {0}\n", output.string());
}

// The runner the campaign's `runner:` section asks for.
std::unique_ptr<runners::Runner> make_runner(const CampaignSpec& spec, boost::asio::io_context& io, const fs::path& output,
                                             const fs::path& programs) {
  if (spec.runner.kind == RunnerSpec::Kind::Slurm) {
    runners::SlurmRunnerOptions options;
    options.program_dirs = {programs};
    options.job_script = output / "slurm-job.sh";
    options.poll = spec.runner.slurm.poll;
    options.max_resubmits = spec.runner.slurm.max_resubmits;
    options.on_warning = [](const std::string& text) { fmt::print(stderr, "\nrungs: {}\n", text::safe_text(text)); };
    return std::make_unique<runners::SlurmRunner>(io, options);
  }
  runners::LocalRunnerOptions options;
  options.program_dirs = {programs};
  return std::make_unique<runners::LocalRunner>(io, options);
}

// Runs (or resumes) a campaign with real trial processes.
int run_real(const CampaignSpec& spec, store::CampaignStore& store, const RunFlags& flags) {
  const auto output = store.directory();
  auto scheduler = make_scheduler(spec);
  boost::asio::io_context io;
  const auto runner_owner = make_runner(spec, io, output, program_directory(flags.programs));
  runners::Runner& runner = *runner_owner;
  ProgressLine progress(flags.quiet ? nullptr : stderr);
  LoopOptions options;
  options.output = output;
  options.progress = &progress;
  const auto outcome = run_campaign(spec, *scheduler, runner, io, store, options);
  if (outcome.interrupted) {
    fmt::print(stderr, "Interrupted: every trial was stopped. Results so far in {}; go on with `rungs resume {}`\n",
               output.string(), output.string());
    return kInterrupted;
  }
  print_best(spec, outcome, output);
  print_results_hint(output);
  return kDone;
}

// The campaign with synthetic trials on virtual workers: no trial program is needed.
int run_simulated(const CampaignSpec& spec, store::CampaignStore& store, const RunFlags& flags,
                  const SimulationOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto output = store.directory();
  auto scheduler = make_scheduler(spec);
  ProgressLine progress(flags.quiet ? nullptr : stderr);
  const auto summary = run_simulation(spec, *scheduler, options, store, &progress);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_best(spec, summary.outcome, output);
  fmt::print("Simulated {} trials ({} runs) on {} virtual workers: makespan {} (virtual), "
             "worker utilization {:.1f}%, wall time {:.2f} s\n",
             summary.trials, summary.runs, summary.workers, human_duration(summary.makespan),
             100 * summary.utilization, wall);
  if (summary.timeouts > 0)
    fmt::print("Note: {} run{} reached trial.timeout ({}) at {} s per epoch: raise the timeout or check "
               "--epoch-seconds\n",
               summary.timeouts, summary.timeouts == 1 ? "" : "s",
               human_duration(static_cast<double>(spec.trial.timeout.count()) / 1000), options.epoch_seconds);
  print_results_hint(output);
  return kDone;
}

}  // namespace

namespace {

// What `run` would refuse when it builds the scheduler (an infinite eta, a ladder of hundreds
// of levels), refused by `validate` too and before any output directory exists.
void check_schedulable(const CampaignSpec& spec) {
  try {
    make_scheduler(spec);
  } catch (const ConfigError&) {
    throw;
  } catch (const std::exception& e) {
    throw ConfigError({spec.file.string(), 0, 0}, "scheduler", e.what());
  }
}

// The directory, created if missing, locked for this process: one writer per campaign
// (campaign/campaign_lock.hpp). The lock lives as long as the returned object.
CampaignLock lock_directory(const fs::path& output) {
  fs::create_directories(output);
  return CampaignLock::acquire(output);
}

}  // namespace

CampaignSpec load_checked_campaign(const std::string& file, const std::string& programs) {
  auto spec = load_campaign(file);
  check_schedulable(spec);
  check_program(spec, {program_directory(programs)});
  check_slurm(spec);
  return spec;
}

int run_command(const std::string& file, const RunFlags& flags) {
  const auto spec = load_checked_campaign(file, flags.programs);
  const auto output = output_directory(spec, flags.output, /*simulated=*/false);
  const auto lock = lock_directory(output);
  auto store = open_campaign_directory(spec, output, "run", nlohmann::json::object());
  return run_real(spec, store, flags);
}

int simulate_command(const std::string& file, const RunFlags& flags, SimulationOptions options,
                     std::optional<std::uint64_t> seed) {
  const auto spec = load_campaign(file);
  check_schedulable(spec);
  options.seed = seed.value_or(spec.seed);
  const auto output = output_directory(spec, flags.output, /*simulated=*/true);
  const auto lock = lock_directory(output);
  auto store = open_campaign_directory(spec, output, "simulate", to_json(options));
  return run_simulated(spec, store, flags, options);
}

int resume_command(const std::string& directory, const RunFlags& flags) {
  const auto lock = CampaignLock::acquire(fs::absolute(directory).lexically_normal());
  auto store = store::CampaignStore::open(fs::absolute(directory).lexically_normal());
  const auto spec = stored_spec(store);
  if (store.info().mode == "simulate") return run_simulated(spec, store, flags, simulation_options_from(store.info().options));
  check_program(spec, {program_directory(flags.programs)});
  check_slurm(spec);
  return run_real(spec, store, flags);
}

int validate_command(const std::string& file) {
  const auto spec = load_checked_campaign(file);
  std::string budget;
  for (std::size_t level = 0; level < spec.ladder.levels(); ++level) {
    std::string values;
    for (const auto& [name, value] : spec.ladder.at(level).values) values += fmt::format(" {}={}", name, value);
    budget += fmt::format("\n  level {}: {:.4g} units{}", level, spec.ladder.at(level).units, values);
  }
  fmt::print("{}: OK ({} parameters, {} over {} budget levels with eta {}, optimizer {}){}\n", file,
             spec.space.dimension(), study::scheduler_name(spec.scheduler.kind), spec.ladder.levels(),
             spec.ladder.eta(), study::optimizer_name(spec.optimizer), budget);
  return kDone;
}

}  // namespace rungs::campaign
