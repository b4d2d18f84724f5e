#include "campaign/commands.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "campaign/best_summary.hpp"
#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_growth.hpp"
#include "campaign/campaign_lock.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/factory.hpp"
#include "campaign/prior_summary.hpp"
#include "campaign/failure_notes.hpp"
#include "campaign/program_check.hpp"
#include "campaign/slurm_check.hpp"
#include "runners/local_runner.hpp"
#include "runners/program_lookup.hpp"
#include "runners/slurm_runner.hpp"
#include "store/store.hpp"
#include "text/safe_text.hpp"
#include "text/shell_word.hpp"

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

// A path as the user would type it: relative when it is under the current
// directory (runs/quickstart-...), else absolute.
std::string shown_path(const fs::path& path) {
  std::error_code ec;
  const auto relative = path.lexically_relative(fs::current_path(ec));
  if (!ec && !relative.empty() && *relative.begin() != "..") return relative.string();
  return path.string();
}

// A path inside a printed command: shown_path, quoted for the shell.
std::string command_path(const fs::path& path) { return text::shell_word(shown_path(path)); }

// How to call this rungs again, as a command that works pasted: "rungs" when $PATH finds this
// very binary, else its path (relative to the current directory when it is inside it, e.g.
// build/bin/rungs).
std::string own_command() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "rungs";
  try {
    const auto found = runners::resolve_program("rungs", {});
    if (fs::equivalent(found, exe, ec)) return "rungs";
  } catch (const std::exception&) {
    // not on PATH
  }
  const fs::path shown = shown_path(exe);
  // Relative, it needs a '/': a bare name would search PATH.
  return text::shell_word(shown.is_absolute() || shown.has_parent_path() ? shown.string() : "./" + shown.string());
}

void print_results_hint(const fs::path& output) {
  fmt::print("Results in {}\n", shown_path(output));
  fmt::print("Look at them: {0} status {1} | {0} report {1} | {0} export {1}\n", own_command(), command_path(output));
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

// A campaign the fail-fast limit stopped: why, and what to do. One a limit ended: which.
void print_failed(const CampaignOutcome& outcome, const fs::path& output) {
  if (outcome.limit)
    fmt::print(stderr, "Stopped launching: {}. Grow it with `{} resume {} --limit KEY=VALUE` (README: Growing a "
                       "campaign)\n",
               *outcome.limit, own_command(), command_path(output));
  if (!outcome.failed) return;
  fmt::print(stderr, "\nStopped: {}. Fix the cause shown above, then go on with `{} resume {}` "
                     "(trial.max_failures_before_success: 0 turns this limit off)\n",
             *outcome.failed, own_command(), command_path(output));
}

// Runs (or resumes) a campaign with real trial processes.
int run_real(const CampaignSpec& spec, store::CampaignStore& store, const RunFlags& flags) {
  const auto output = store.directory();
  auto scheduler = make_scheduler(as_started(spec, store));
  boost::asio::io_context io;
  const auto runner_owner = make_runner(spec, io, output, program_directory(flags.programs));
  runners::Runner& runner = *runner_owner;
  ProgressLine progress(flags.quiet ? nullptr : stderr);
  FailureNotes failures(stderr, output / "warnings.log");  // shown even with --quiet: they are the news
  LoopOptions options;
  options.output = output;
  options.progress = &progress;
  options.on_run_failed = [&failures](const RunFailure& failure) { failures.note(failure); };
  const auto outcome = run_campaign(spec, *scheduler, runner, io, store, options);
  if (outcome.interrupted) {
    fmt::print(stderr, "Interrupted: every trial was stopped. Results so far in {}; go on with `{} resume {}`\n",
               shown_path(output), own_command(), command_path(output));
    return kInterrupted;
  }
  print_failed(outcome, output);
  print_best(spec, outcome, store);
  print_front(spec, outcome, output);
  print_results_hint(output);
  return outcome.best ? kDone : kNoSuccess;
}

// The campaign with synthetic trials on virtual workers: no trial program is needed.
int run_simulated(const CampaignSpec& spec, store::CampaignStore& store, const RunFlags& flags,
                  const SimulationOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto output = store.directory();
  auto scheduler = make_scheduler(as_started(spec, store));
  ProgressLine progress(flags.quiet ? nullptr : stderr);
  const auto summary = run_simulation(spec, *scheduler, options, store, &progress);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_failed(summary.outcome, output);
  print_best(spec, summary.outcome, store);
  print_front(spec, summary.outcome, output);
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
  return summary.outcome.best ? kDone : kNoSuccess;
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

// The campaign goes on with the warm start its store recorded (the same as the one just read
// for a new campaign), said once on stderr.
void use_recorded(CampaignSpec& spec, const store::CampaignStore& store) {
  use_recorded_warm_start(spec, store.info());
  if (spec.warm)
    for (const auto& line : warm_start_lines(*spec.warm)) fmt::print(stderr, "{}\n", line);
}

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A grown campaign's YAML, recorded once the run has recorded the growth in its log
// (campaign_growth.hpp): a later resume reads its bounds from there.
void record_grown_yaml(store::CampaignStore& store, const std::string& yaml) {
  store.update_campaign_yaml(yaml);
  std::ofstream(store.directory() / "campaign.yaml") << yaml;
}

// What `rungs run` recorded besides the YAML (run -w), applied to the spec.
void apply_run_options(CampaignSpec& spec, const nlohmann::json& options) {
  if (const auto found = options.find("max_concurrent"); found != options.end() && found->is_number_unsigned())
    spec.scheduler.max_concurrent = found->get<std::size_t>();
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
  auto spec = load_checked_campaign(file, flags.programs);
  const auto output = output_directory(spec, flags.output, /*simulated=*/false);
  const auto lock = lock_directory(output);
  nlohmann::json options = nlohmann::json::object();  // empty: as an existing campaign recorded them
  if (flags.max_concurrent) options["max_concurrent"] = *flags.max_concurrent;
  auto store = open_campaign_directory(spec, output, "run", options);
  const bool grows = store::CampaignStore::exists(output) && !store.info().campaign_yaml.empty() &&
                     bounds_of(stored_spec(store)) != bounds_of(spec);
  use_recorded(spec, store);
  apply_run_options(spec, store.info().options);
  const int code = run_real(spec, store, flags);
  if (grows) record_grown_yaml(store, read_text(spec.file));
  return code;
}

int simulate_command(const std::string& file, const RunFlags& flags, SimulationOptions options,
                     std::optional<std::uint64_t> seed) {
  auto spec = load_campaign(file);
  check_schedulable(spec);
  options.seed = seed.value_or(spec.seed);
  const auto output = output_directory(spec, flags.output, /*simulated=*/true);
  const auto lock = lock_directory(output);
  if (options.epoch_seconds == 0) {  // not given: the campaign's default, decided before it is stored
    options.epoch_seconds = default_epoch_seconds(spec);
    // A simulation resumed keeps its virtual epoch: a trial.timeout changed meanwhile (which a
    // resume allows) must not change it.
    if (store::CampaignStore::exists(output)) {
      const auto stored = store::CampaignStore::open(output, /*read_only=*/true).info().options;
      if (stored.is_object() && stored.value("epoch_seconds", 0.0) > 0) options.epoch_seconds = stored["epoch_seconds"];
    }
  }
  auto store = open_campaign_directory(spec, output, "simulate", to_json(options));
  const bool grows = bounds_of(stored_spec(store)) != bounds_of(spec);
  use_recorded(spec, store);
  const int code = run_simulated(spec, store, flags, options);
  if (grows) record_grown_yaml(store, read_text(spec.file));
  return code;
}

int resume_command(const std::string& directory, const RunFlags& flags, const GrowFlags& grow) {
  const auto lock = CampaignLock::acquire(fs::absolute(directory).lexically_normal());
  auto store = store::CampaignStore::open(fs::absolute(directory).lexically_normal());
  auto spec = stored_spec(store);
  std::string grown;  // the recorded YAML with --iterations / --limit applied
  if (grow.iterations || !grow.limits.empty()) {
    const auto name = (store.directory() / "campaign.yaml").string();
    grown = grown_yaml(store.info().campaign_yaml, name, grow.iterations, grow.limits);
    auto now = parse_campaign(grown, name, spec.directory);
    now.file = spec.file;
    if (!check_growth(store.info().campaign_yaml, store.directory(), now, grown, name)) {
      grown.clear();
    } else {
      spec = std::move(now);
      use_recorded_warm_start(spec, store.info());  // as stored_spec() does
    }
  }
  int code = 0;
  if (store.info().mode == "simulate") {
    code = run_simulated(spec, store, flags, simulation_options_from(store.info().options));
  } else {
    apply_run_options(spec, store.info().options);
    check_program(spec, {program_directory(flags.programs)});
    check_slurm(spec);
    code = run_real(spec, store, flags);
  }
  if (!grown.empty()) record_grown_yaml(store, grown);
  return code;
}

int validate_command(const std::string& file) {
  const auto spec = load_checked_campaign(file);
  std::string budget;
  for (std::size_t level = 0; level < spec.ladder.levels(); ++level) {
    std::string values;
    for (const auto& [name, value] : spec.ladder.at(level).values) values += fmt::format(" {}={}", name, value);
    budget += fmt::format("\n  level {}: {:.4g} units{}", level, spec.ladder.at(level).units, values);
  }
  // eta spaces Hyperband's geometric levels; a linear ladder (budget.step) has a step instead.
  const auto spacing = spec.ladder.step() ? fmt::format("step {}", *spec.ladder.step())
                                          : fmt::format("eta {}", spec.ladder.eta());
  fmt::print("{}: OK ({} parameters, {} over {} budget levels with {}, optimizer {}){}\n", file,
             spec.space.dimension(), study::scheduler_name(spec.scheduler.kind), spec.ladder.levels(),
             spacing, study::optimizer_name(spec.optimizer), budget);
  if (const auto known = prior_summary(spec.space, spec.start_with.size()); !known.empty()) fmt::print("{}\n", known);
  if (spec.warm)
    for (const auto& line : warm_start_lines(*spec.warm)) fmt::print("{}\n", line);
  return kDone;
}

}  // namespace rungs::campaign
