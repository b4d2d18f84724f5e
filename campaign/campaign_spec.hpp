#pragma once
// Everything one campaign YAML file says, validated, as plain data: nothing here knows YAML.
// load_campaign / parse_campaign (campaign/yaml_campaign.cpp) read the file; loading never
// half-succeeds: any problem is a ConfigError naming the file, line, column and key path.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "campaign/campaign_bounds.hpp"
#include "campaign/config_error.hpp"
#include "campaign/objectives.hpp"
#include "campaign/runner_spec.hpp"
#include "campaign/scheduler_spec.hpp"
#include "campaign/warm_start.hpp"
#include "fidelity/ladder.hpp"
#include "space/search_space.hpp"
#include "study/optimizer_settings.hpp"

namespace rungs::campaign {


enum class ReportFormat { Json, Regex };

struct TrialSpec {
  std::vector<std::string> command;           // argv template; placeholders like {lr}
  Location program_at;                        // where command[0] is in the file, for errors
  std::map<std::string, std::string> env;     // extra environment variables
  ReportFormat report_format = ReportFormat::Json;
  std::string report_pattern;                 // for ReportFormat::Regex
  std::chrono::milliseconds timeout{0};       // per run; 0 = none
  std::chrono::milliseconds grace{5000};      // SIGTERM -> SIGKILL
  // Liveness: a run that prints nothing for `heartbeat` is stale (0 = no limit) and is then
  // failed, retried or stopped (ending with its last reported value as its result).
  std::chrono::milliseconds heartbeat{0};
  enum class OnStale { Fail, Retry, Stop } on_stale = OnStale::Fail;
  // A failed run is launched again (resuming from its checkpoint) up to `retries` times;
  // every failure is recorded, and only the last one reaches the scheduler.
  std::size_t retries = 0;
  // Fail fast: once this many trials have failed and none has succeeded yet (a wrong path, a
  // missing module), the campaign stops its runs and ends as failed. 0 = never. A resume
  // counts again from 0 (after a fix, the next failures are news).
  std::size_t max_failures_before_success = 5;
  // pause: signal. A trial pausing at a rung keeps its process, stopped with SIGSTOP, and a
  // promotion continues it with SIGCONT instead of a relaunch from its checkpoint. At most
  // max_paused processes are kept; beyond that the oldest is ended (a later promotion of it
  // relaunches from its checkpoint, as with pause: exit).
  bool keep_paused = false;
  std::size_t max_paused = 8;
};

struct CampaignSpec {
  std::string name;
  std::vector<std::filesystem::path> plugins;  // dimension plugins loaded for it (`plugins:`), resolved
  std::filesystem::path file;          // the YAML file, absolute
  std::filesystem::path directory;     // its folder: relative paths in the YAML start here
  std::filesystem::path output;        // where results go (absolute); may be empty = default
  std::uint64_t seed = 0;
  // The value ranked: the metric, the first of several objectives, or their weighted sum
  // (`scalarize:`, named "weighted sum of ...").
  MetricSpec metric;
  Objectives objectives;  // several objectives, their weights, constraints (objectives.hpp)
  space::SearchSpace space;
  fidelity::BudgetLadder ladder;
  SchedulerSpec scheduler;
  LimitSettings limits;  // `limits:` (campaign_bounds.hpp): where the loop stops launching
  study::OptimizerSettings optimizer;
  // Configurations to try first (`start_with:`), validated against the space.
  std::vector<space::Config> start_with;
  // `warm_start:` as written (campaign/warm_start.hpp), and what was read for it: from the
  // directories by load_campaign, from the store on resume. With narrowing, `space` above is
  // the narrowed space and warm->original the one the file gives.
  WarmStartSpec warm_start;
  std::optional<WarmStart> warm;
  TrialSpec trial;
  RunnerSpec runner;  // where trials run (`runner:`): local processes unless it says slurm
};

// Reads and validates a campaign file. Throws ConfigError.
CampaignSpec load_campaign(const std::filesystem::path& file);
// The same from text (tests); `file_name` is used in messages and `directory` for relative paths.
CampaignSpec parse_campaign(const std::string& text, const std::string& file_name,
                            const std::filesystem::path& directory);

// The placeholders a trial command may use besides the parameters and budget dimensions.
const std::vector<std::string>& builtin_placeholders();

// The environment variables of the trial protocol (RUNGS_TRIAL_ID, RUNGS_BUDGET, ...): no
// budget dimension's variable may take one of these names.
const std::vector<std::string>& protocol_variables();

}  // namespace rungs::campaign
