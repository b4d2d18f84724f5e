// rungs: the command-line tool.
//   rungs run CAMPAIGN.yaml [--output DIR]   run a campaign, print the best configuration; an
//                                            existing campaign directory is resumed
//   rungs simulate CAMPAIGN.yaml [--workers N] [--epoch-seconds S] [--seed N] [--output DIR]
//                                            dry run: synthetic trials on a virtual clock
//                                            (campaign/simulation.hpp), no trial program needed
//   rungs resume DIR                         go on with a campaign that was interrupted
//   rungs status DIR [--all]                 trials, rungs and the best so far (also while it runs)
//   rungs report DIR [-o FILE]               one self-contained HTML file with the charts
//   rungs export DIR [--format csv|json] [-o OUTDIR]   trials, runs and reports as files
//   rungs validate CAMPAIGN.yaml             check a campaign file without running anything
// Exit codes: 0 done, 1 other failure, 2 bad configuration, 130 interrupted (Ctrl-C).
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <optional>

#include "campaign/campaign_change.hpp"
#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/config_error.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"
#include "store/store.hpp"
#include "report/commands.hpp"
#include "runners/local_runner.hpp"
#include "runners/program_lookup.hpp"

namespace fs = std::filesystem;
using namespace rungs;

namespace {

constexpr int kDone = 0, kFailure = 1, kBadConfig = 2, kInterrupted = 130;

fs::path own_directory() {
  std::error_code ec;
  const auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe.parent_path();
}

// Finds the trial program now, so a typo fails before any trial runs.
void check_program(const campaign::CampaignSpec& spec) {
  const auto& program = spec.trial.command.front();
  if (program.find('{') != std::string::npos) return;  // known only per trial
  if (program.find('/') != std::string::npos) {
    const fs::path path = fs::path(program).is_absolute() ? fs::path(program) : spec.directory / program;
    if (access(path.c_str(), X_OK) != 0)
      throw campaign::ConfigError({spec.file.string(), 0, 0}, "trial.command[0]",
                                  fmt::format("'{}' is not an executable file", path.string()));
    return;
  }
  try {
    runners::resolve_program(program, {own_directory()});
  } catch (const std::exception& e) {
    throw campaign::ConfigError({spec.file.string(), 0, 0}, "trial.command[0]", e.what());
  }
}

std::string timestamp() {
  const auto now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", std::localtime(&now));
  return text;
}

// The results directory: --output, else the campaign's `output:` (real runs only), else
// runs/NAME-TIMESTAMP (runs/NAME-sim-TIMESTAMP for a simulation).
fs::path output_directory(const campaign::CampaignSpec& spec, const std::string& flag, bool simulated) {
  fs::path output;
  if (!flag.empty()) output = flag;
  else if (!spec.output.empty() && !simulated) output = spec.output;
  else output = fs::path("runs") / fmt::format("{}-{}{}", spec.name, simulated ? "sim-" : "", timestamp());
  return fs::absolute(output).lexically_normal();
}

// The campaign's store: a new one in an empty (or missing) directory, with a copy of the
// campaign file so that the directory describes itself; or the existing campaign there, to
// resume, if the file changed only in ways a resume allows. Any other non-empty directory is
// refused.
store::CampaignStore open_store(const campaign::CampaignSpec& spec, const fs::path& output,
                                   const std::string& mode, const nlohmann::json& options) {
  if (store::CampaignStore::exists(output)) {
    auto store = store::CampaignStore::open(output);
    if (store.info().mode != mode)
      throw campaign::ConfigError({spec.file.string(), 0, 0}, "output",
                                  fmt::format("'{}' holds a campaign of `rungs {}`; resume it with `rungs resume {}`",
                                              output.string(), store.info().mode, output.string()));
    campaign::check_compatible_change(store.info().campaign_yaml, spec.file, output);
    if (store.info().options != options)
      throw campaign::ConfigError({spec.file.string(), 0, 0}, "output",
                                  fmt::format("'{}' was simulated with other options ({}); use `rungs resume {}`",
                                              output.string(), store.info().options.dump(), output.string()));
    fmt::print(stderr, "Resuming the campaign in {}\n", output.string());
    return store;
  }
  try {
    return campaign::create_campaign_directory(spec, output, mode, options);
  } catch (const std::runtime_error& e) {
    throw campaign::ConfigError({spec.file.string(), 0, 0}, "output", e.what());
  }
}

// The spec a stored campaign was started with; relative paths in it still start at the
// original file's folder.
campaign::CampaignSpec stored_spec(const store::CampaignStore& store) {
  const auto& info = store.info();
  auto spec = campaign::parse_campaign(info.campaign_yaml, (store.directory() / "campaign.yaml").string(),
                                       fs::path(info.campaign_file).parent_path());
  spec.file = info.campaign_file;
  return spec;
}

// "42 s", "12.5 min", "7.3 h", "2.1 days": virtual makespans span all of these.
std::string human_duration(double seconds) {
  if (seconds < 120) return fmt::format("{:.3g} s", seconds);
  if (seconds < 2 * 3600) return fmt::format("{:.1f} min", seconds / 60);
  if (seconds < 48 * 3600) return fmt::format("{:.1f} h", seconds / 3600);
  return fmt::format("{:.1f} days", seconds / 86400);
}

void print_best(const campaign::CampaignSpec& spec, const campaign::CampaignOutcome& outcome,
                const fs::path& output) {
  if (!outcome.best) {
    fmt::print("No trial reported a finite {}.\n", spec.metric.name);
    return;
  }
  const auto& best = *outcome.best;
  std::string budget;
  for (const auto& [name, value] : spec.ladder.at(best.level).values)
    budget += fmt::format("{}{}={}", budget.empty() ? "" : ", ", name, value);
  fmt::print("Best configuration: trial {}, {} = {:.6g} at budget level {}{}\n", best.trial,
             spec.metric.name, best.value, best.level, budget.empty() ? "" : " (" + budget + ")");
  // Six significant digits for reading; best.json keeps every digit.
  for (const auto& [name, value] : best.config) {
    const auto* real = std::get_if<double>(&value);
    fmt::print("  {}: {}\n", name, real ? fmt::format("{:.6g}", *real) : space::to_string(value));
  }
  std::string metrics;
  for (const auto& [name, value] : best.metrics.items())
    if (name != "trial" && name != "run" && name != "level" && name != "line" && name != "time")
      metrics += fmt::format("{}{}={}", metrics.empty() ? "" : ", ", name,
                             value.is_number_float() ? fmt::format("{:.4g}", value.get<double>()) : value.dump());
  if (!metrics.empty()) fmt::print("  last report: {}\n", metrics);

  nlohmann::json file = {{"trial", best.trial}, {"level", best.level}, {"value", best.value},
                         {"metric", spec.metric.name}, {"report", best.metrics}};
  for (const auto& [name, value] : best.config) std::visit([&](const auto& v) { file["params"][name] = v; }, value);
  std::ofstream(output / "best.json") << file.dump(2) << '\n';
}

void print_results_hint(const fs::path& output) {
  fmt::print("Results in {}\n", output.string());
  fmt::print("Look at them: rungs status {0} | rungs report {0} | rungs export {0}\n", output.string());
}

struct RunFlags {
  std::string output;
  bool quiet = false;
};

// Runs (or resumes) a campaign with real trial processes.
int run_real(const campaign::CampaignSpec& spec, store::CampaignStore& store, const RunFlags& flags) {
  const auto output = store.directory();
  auto scheduler = campaign::make_scheduler(spec);
  boost::asio::io_context io;
  runners::LocalRunnerOptions runner_options;
  runner_options.program_dirs = {own_directory()};
  runners::LocalRunner runner(io, runner_options);
  campaign::ProgressLine progress(flags.quiet ? nullptr : stderr);
  campaign::LoopOptions options;
  options.output = output;
  options.progress = &progress;
  const auto outcome = campaign::run_campaign(spec, *scheduler, runner, io, store, options);
  if (outcome.interrupted) {
    fmt::print(stderr, "Interrupted: every trial was stopped. Results so far in {}; go on with `rungs resume {}`\n",
               output.string(), output.string());
    return kInterrupted;
  }
  print_best(spec, outcome, output);
  print_results_hint(output);
  return kDone;
}

int run_command(const std::string& file, const RunFlags& flags) {
  const auto spec = campaign::load_campaign(file);
  check_program(spec);
  auto store = open_store(spec, output_directory(spec, flags.output, /*simulated=*/false), "run", nlohmann::json::object());
  return run_real(spec, store, flags);
}

// The campaign with synthetic trials on virtual workers: no trial program is needed.
int run_simulated(const campaign::CampaignSpec& spec, store::CampaignStore& store, const RunFlags& flags,
                  const campaign::SimulationOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const auto output = store.directory();
  auto scheduler = campaign::make_scheduler(spec);
  campaign::ProgressLine progress(flags.quiet ? nullptr : stderr);
  const auto summary = campaign::run_simulation(spec, *scheduler, options, store, &progress);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_best(spec, summary.outcome, output);
  fmt::print("Simulated {} trials ({} runs) on {} virtual workers: makespan {} (virtual), "
             "worker utilization {:.1f}%, wall time {:.2f} s\n",
             summary.trials, summary.runs, summary.workers, human_duration(summary.makespan),
             100 * summary.utilization, wall);
  if (summary.timeouts > 0)
    fmt::print("Note: {} run{} reached trial.timeout ({}) at {} s per epoch: raise the timeout or check "
               "--epoch-seconds\n",
               summary.timeouts, summary.timeouts == 1 ? "" : "s", human_duration(static_cast<double>(spec.trial.timeout.count()) / 1000),
               options.epoch_seconds);
  print_results_hint(output);
  return kDone;
}

int simulate_command(const std::string& file, const RunFlags& flags, campaign::SimulationOptions options,
                     std::optional<std::uint64_t> seed) {
  const auto spec = campaign::load_campaign(file);
  options.seed = seed.value_or(spec.seed);
  auto store = open_store(spec, output_directory(spec, flags.output, /*simulated=*/true), "simulate",
                          campaign::to_json(options));
  return run_simulated(spec, store, flags, options);
}

// Goes on with the campaign in `directory` as it was started (real or simulated).
int resume_command(const std::string& directory, const RunFlags& flags) {
  auto store = store::CampaignStore::open(fs::absolute(directory).lexically_normal());
  const auto spec = stored_spec(store);
  if (store.info().mode == "simulate")
    return run_simulated(spec, store, flags, campaign::simulation_options_from(store.info().options));
  check_program(spec);
  return run_real(spec, store, flags);
}

int validate_command(const std::string& file) {
  const auto spec = campaign::load_campaign(file);
  check_program(spec);
  std::string budget;
  for (std::size_t level = 0; level < spec.ladder.levels(); ++level) {
    std::string values;
    for (const auto& [name, value] : spec.ladder.at(level).values)
      values += fmt::format(" {}={}", name, value);
    budget += fmt::format("\n  level {}: {:.4g} units{}", level, spec.ladder.at(level).units, values);
  }
  fmt::print("{}: OK ({} parameters, {} over {} budget levels with eta {}, optimizer {}){}\n", file,
             spec.space.dimension(), spec.scheduler.type, spec.ladder.levels(),
             spec.ladder.eta(), spec.optimizer.type, budget);
  return kDone;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rungs: multi-fidelity hyperparameter optimization with early stopping"};
  app.require_subcommand(1);
  std::string file;
  RunFlags flags;
  auto* run = app.add_subcommand("run", "Run a campaign and print the best configuration");
  run->add_option("campaign", file, "Campaign YAML file")->required()->check(CLI::ExistingFile);
  run->add_option("-o,--output", flags.output, "Results directory (default: runs/NAME-TIMESTAMP)");
  run->add_flag("-q,--quiet", flags.quiet, "No progress line");

  campaign::SimulationOptions simulation;
  auto* simulate = app.add_subcommand(
      "simulate", "Dry-run a campaign: synthetic learning curves on a virtual clock, no trial program");
  simulate->add_option("campaign", file, "Campaign YAML file")->required()->check(CLI::ExistingFile);
  simulate->add_option("-w,--workers", simulation.workers, "Virtual workers (default: scheduler.max_concurrent)")
      ->check(CLI::PositiveNumber);
  simulate->add_option("--epoch-seconds", simulation.epoch_seconds,
                       "Mean virtual cost of one epoch at full data (default: 60)")->check(CLI::PositiveNumber);
  simulate->add_option("--cost-spread", simulation.cost_spread,
                       "Spread of per-configuration costs, sigma of a lognormal (default: 0.5)")
      ->check(CLI::NonNegativeNumber);
  std::optional<std::uint64_t> seed;
  simulate->add_option("--seed", seed, "Seed of the synthetic landscape (default: the campaign's seed)");
  simulate->add_option("-o,--output", flags.output, "Results directory (default: runs/NAME-sim-TIMESTAMP)");
  simulate->add_flag("-q,--quiet", flags.quiet, "No progress line");

  std::string directory;
  auto* resume = app.add_subcommand("resume", "Go on with an interrupted campaign from its directory");
  resume->add_option("directory", directory, "Campaign directory (holds rungs.db)")->required()->check(CLI::ExistingDirectory);
  resume->add_flag("-q,--quiet", flags.quiet, "No progress line");

  report::StatusOptions status_options;
  auto* status = app.add_subcommand("status", "Show a campaign's trials, rungs and best result (also while it runs)");
  status->add_option("directory", directory, "Campaign directory (holds rungs.db)")->required()->check(CLI::ExistingDirectory);
  status->add_flag("-a,--all", status_options.all, "Every trial, not only the best and the running ones");
  status->add_option("--top", status_options.top, "How many of the best trials to list (default: 20)");

  std::optional<fs::path> report_file;
  auto* html = app.add_subcommand("report", "Write a self-contained HTML report with the campaign's charts");
  html->add_option("directory", directory, "Campaign directory (holds rungs.db)")->required()->check(CLI::ExistingDirectory);
  html->add_option("-o,--output", report_file, "HTML file to write (default: DIR/report.html)");

  std::string export_format = "csv";
  std::optional<fs::path> export_dir;
  auto* exporter = app.add_subcommand("export", "Write trials, runs, reports and warnings as CSV or JSON files");
  exporter->add_option("directory", directory, "Campaign directory (holds rungs.db)")->required()->check(CLI::ExistingDirectory);
  exporter->add_option("-f,--format", export_format, "csv or json (default: csv)")->check(CLI::IsMember({"csv", "json"}));
  exporter->add_option("-o,--output", export_dir, "Directory to write into (default: DIR/export)");

  auto* validate = app.add_subcommand("validate", "Check a campaign file");
  validate->add_option("campaign", file, "Campaign YAML file")->required()->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kDone : kBadConfig;
  }
  try {
    if (*run) return run_command(file, flags);
    if (*simulate) return simulate_command(file, flags, simulation, seed);
    if (*resume) return resume_command(directory, flags);
    if (*status) {
      report::status_command(directory, status_options);
      return kDone;
    }
    if (*html) {
      fmt::print("Report written to {}\n", report::report_command(directory, report_file).string());
      return kDone;
    }
    if (*exporter) {
      for (const auto& file : report::export_command(directory, export_format, export_dir)) fmt::print("{}\n", file.string());
      return kDone;
    }
    return validate_command(file);
  } catch (const campaign::ConfigError& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kBadConfig;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return kFailure;
  }
}
