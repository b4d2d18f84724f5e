// rungs: the command-line tool.
//   rungs run CAMPAIGN.yaml [--output DIR] [-w N]   run a campaign, print the best configuration; an
//                                            existing campaign directory is resumed
//   rungs simulate CAMPAIGN.yaml [--workers N] [--epoch-seconds S] [--seed N] [--output DIR]
//                                            dry run: synthetic trials on a virtual clock
//                                            (campaign/simulation.hpp), no trial program needed
//   rungs resume DIR [--iterations N] [--limit cost=8000]   go on with a campaign that was
//                                            interrupted, or grow one that finished
//   rungs status DIR [--all] [--json] [--watch [SECS]]   trials, rungs and the best so far (also while it runs)
//   rungs report DIR [-o FILE] [--watch [SECS]]  one self-contained HTML file with the charts
//   rungs export DIR [--format csv|json] [-o OUTDIR]   trials, runs and reports as files
//   rungs validate CAMPAIGN.yaml             check a campaign file without running anything
// Exit codes: 0 done, 1 other failure, 2 bad configuration, 130 interrupted (Ctrl-C).
// This file only parses flags and dispatches: the campaign commands are composed in
// campaign/commands.hpp, the commands that read a campaign in report/commands.hpp.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "campaign/commands.hpp"
#include "campaign/campaign_bounds.hpp"
#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_lock.hpp"
#include "campaign/config_error.hpp"
#include "campaign/prior_summary.hpp"
#include "campaign/did_you_mean.hpp"
#include "campaign/simulation.hpp"
#include "campaign/warm_start.hpp"
#include "store/store.hpp"
#include "report/commands.hpp"
#include "report/warm_start_summary.hpp"
#include "text/safe_text.hpp"

namespace fs = std::filesystem;
using namespace rungs;
using campaign::kBadConfig, campaign::kDone, campaign::kFailure;

namespace {

// An error names keys and values from the campaign file or the store: its control characters
// are shown, not obeyed (a message of several lines keeps its lines).
void print_error(std::string_view message) {
  std::string text;
  for (std::size_t start = 0; start <= message.size();) {
    const auto end = std::min(message.find('\n', start), message.size());
    if (start != 0) text += '\n';
    text += rungs::text::safe_text(message.substr(start, end - start));
    start = end + 1;
  }
  fmt::print(stderr, "error: {}\n", text);
}

// What every subcommand's --help ends with: an example, then the exit codes (README).
std::string help_footer(std::string_view example) {
  return fmt::format("Example:\n  {}\n\nExit codes: 0 done, 1 other failure, 2 bad configuration or usage, "
                     "3 the campaign ended and no trial succeeded, 130 interrupted (Ctrl-C)",
                     example);
}

// CLI11 answers a mistyped subcommand with "A subcommand is required" or "not expected";
// this names it and suggests the closest one. Returns false (having said so) for a word that
// is no subcommand.
bool known_command(const CLI::App& app, std::string_view word) {
  std::vector<std::string_view> names;
  for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(command->get_name());
  if (std::find(names.begin(), names.end(), word) != names.end()) return true;
  print_error(fmt::format("unknown command '{}'; {} (rungs --help lists them)", word,
                          campaign::did_you_mean(word, names, "commands")));
  return false;
}

// The limits and bounds the campaign runs under now (its recorded YAML: grown ones included).
std::optional<campaign::CampaignBounds> recorded_bounds(const fs::path& directory) {
  const auto store = store::CampaignStore::open(directory, true);
  if (store.info().campaign_yaml.empty()) return std::nullopt;
  return campaign::bounds_of(campaign::stored_spec(store));
}

std::string recorded_limits(const fs::path& directory) {
  const auto bounds = recorded_bounds(directory);
  return bounds ? campaign::describe_bounds(*bounds) : "";
}

// `rungs status`, once or --watch: report/'s status, plus the limits, the priors and the warm
// start the campaign recorded (a line per source and change in the text; the `limits` and
// `warm_start` fields of the JSON object, docs/status.md).
void add_campaign_extras(const fs::path& directory, report::StatusOptions& options) {
  options.extra_lines = [directory] {
    std::vector<std::string> lines;
    if (const auto limits = recorded_limits(directory); !limits.empty()) lines.push_back(limits);
    if (const auto known = campaign::recorded_prior_summary(directory); !known.empty()) lines.push_back(known);
    for (auto& line : campaign::recorded_warm_start_lines(store::CampaignStore::open(directory, true).info()))
      lines.push_back(std::move(line));
    return lines;
  };
  options.extra_fields = [directory](nlohmann::json& status) {
    status["warm_start"] = report::warm_start_summary(store::CampaignStore::open(directory, true).info());
    const auto bounds = recorded_bounds(directory);
    status["limits"] = bounds ? campaign::to_json(*bounds) : nlohmann::json();
  };
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"rungs: multi-fidelity hyperparameter optimization with early stopping"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("rungs ") + RUNGS_VERSION);
  std::string file;
  campaign::RunFlags flags;
  auto* run = app.add_subcommand("run", "Run a campaign and print the best configuration");
  run->add_option("campaign", file, "Campaign YAML file")->required();  // checked by the YAML reader: file:line:col errors
  run->add_option("-o,--output", flags.output, "Results directory (default: runs/NAME-TIMESTAMP)");
  run->add_flag("-q,--quiet", flags.quiet, "No progress line");
  run->add_option("-w,--max-concurrent", flags.max_concurrent,
                  "Runs out at once, instead of scheduler.max_concurrent (recorded: a resume keeps it)")
      ->check(CLI::PositiveNumber);

  campaign::SimulationOptions simulation;
  simulation.epoch_seconds = 0;  // not given: derived from the campaign (campaign::default_epoch_seconds)
  auto* simulate = app.add_subcommand(
      "simulate", "Dry-run a campaign: synthetic learning curves on a virtual clock, no trial program");
  simulate->add_option("campaign", file, "Campaign YAML file")->required();  // checked by the YAML reader: file:line:col errors
  simulate->add_option("-w,--workers", simulation.workers, "Virtual workers (default: scheduler.max_concurrent)")
      ->check(CLI::PositiveNumber);
  simulate->add_option("--epoch-seconds", simulation.epoch_seconds,
                       "Mean virtual cost of one epoch at full data (default: 60, or less so that a top-budget "
                       "run takes a third of trial.timeout)")->check(CLI::PositiveNumber);
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
  campaign::GrowFlags grow;
  resume->add_option("--iterations", grow.iterations, "Grow a Hyperband / successive halving campaign to N iterations")
      ->check(CLI::PositiveNumber);
  resume->add_option("--limit", grow.limits,
                     "Raise a limit, KEY=VALUE: cost=8000, wall=72h, trials=2000 (limits:), max_trials=300, max_budget=9000");

  report::StatusOptions status_options;
  auto* status = app.add_subcommand("status", "Show a campaign's trials, rungs and best result (also while it runs)");
  status->add_option("directory", directory, "Campaign directory (holds rungs.db)")->required()->check(CLI::ExistingDirectory);
  status->add_flag("-a,--all", status_options.all, "Every trial, not only the best and the running ones");
  status->add_option("--top", status_options.top, "How many of the best trials to list (default: 20)");
  status->add_flag("--json", status_options.json, "One JSON object (fields: docs/status.md) instead of the tables");
  std::optional<double> watch;
  status->add_option("--watch", watch, "Refresh every SECS seconds (default 2) until the campaign ends; Ctrl-C stops")
      ->expected(0, 1)
      ->default_str("2")
      ->check(CLI::PositiveNumber);

  std::optional<fs::path> report_file;
  auto* html = app.add_subcommand("report", "Write a self-contained HTML report with the campaign's charts");
  html->add_option("directory", directory, "Campaign directory (holds rungs.db)")->required()->check(CLI::ExistingDirectory);
  html->add_option("-o,--output", report_file, "HTML file to write (default: DIR/report.html)");
  std::optional<double> report_watch;
  html->add_option("--watch", report_watch,
                   "Rewrite the file every SECS seconds (default 5) while the campaign runs, the page reloading itself; "
                   "a last write when it ends")
      ->expected(0, 1)
      ->default_str("5")
      ->check(CLI::PositiveNumber);

  std::string export_format = "csv";
  std::optional<fs::path> export_dir;
  auto* exporter = app.add_subcommand("export", "Write trials, runs, reports and warnings as CSV or JSON files");
  exporter->add_option("directory", directory, "Campaign directory (holds rungs.db)")->required()->check(CLI::ExistingDirectory);
  exporter->add_option("-f,--format", export_format, "csv or json (default: csv)")->check(CLI::IsMember({"csv", "json"}));
  exporter->add_option("-o,--output", export_dir, "Directory to write into (default: DIR/export)");

  auto* validate = app.add_subcommand("validate", "Check a campaign file");
  validate->add_option("campaign", file, "Campaign YAML file")->required();  // checked by the YAML reader: file:line:col errors

  run->footer(help_footer("rungs run examples/01_quickstart/campaign.yaml -w 4"));
  simulate->footer(help_footer("rungs simulate examples/01_quickstart/campaign.yaml -w 16"));
  resume->footer(help_footer("rungs resume runs/quickstart-20261128-133736"));
  status->footer(help_footer("rungs status runs/quickstart-20261128-133736 --watch"));
  html->footer(help_footer("rungs report runs/quickstart-20261128-133736 -o report.html\n  rungs report runs/quickstart-20261128-133736 --watch 10"));
  exporter->footer(help_footer("rungs export runs/quickstart-20261128-133736 -f csv"));
  validate->footer(help_footer("rungs validate examples/01_quickstart/campaign.yaml"));
  app.footer(help_footer("rungs run examples/01_quickstart/campaign.yaml"));

  if (argc > 1 && argv[1][0] != '-' && !known_command(app, argv[1])) return kBadConfig;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kDone : kBadConfig;
  }
  try {
    if (*run) return campaign::run_command(file, flags);
    if (*simulate) return campaign::simulate_command(file, flags, simulation, seed);
    if (*resume) return campaign::resume_command(directory, flags, grow);
    if (*status) {
      status_options.is_running = [&directory] { return campaign::CampaignLock::held(directory); };
      add_campaign_extras(directory, status_options);
      if (status->count("--watch")) {
        report::watch_status(directory, status_options, watch.value_or(2.0));
      } else {
        report::status_command(directory, status_options);
      }
      return kDone;
    }
    if (*html) {
      if (html->count("--watch")) {
        report::watch_report(
            directory, report_file, report_watch.value_or(5.0), [&directory] { return campaign::CampaignLock::held(directory); },
            [](const fs::path& written, bool last) {
              static bool said = false;
              if (!said || last) fmt::print("{} {}\n", last ? "Report written (final) to" : "Report refreshing at", written.string());
              said = true;
              std::fflush(stdout);
            });
        return kDone;
      }
      fmt::print("Report written to {}\n", report::report_command(directory, report_file).string());
      return kDone;
    }
    if (*exporter) {
      for (const auto& file : report::export_command(directory, export_format, export_dir)) fmt::print("{}\n", file.string());
      return kDone;
    }
    return campaign::validate_command(file);
  } catch (const campaign::ConfigError& e) {
    print_error(e.what());
    return kBadConfig;
  } catch (const std::exception& e) {
    print_error(e.what());
    return kFailure;
  }
}
