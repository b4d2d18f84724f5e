#pragma once
// Everything one campaign YAML file says, validated. Loading never half-succeeds: any
// problem is a ConfigError naming the file, line, column and key path.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "campaign/yaml_optimizer.hpp"
#include "campaign/yaml_scheduler.hpp"
#include "fidelity/ladder.hpp"
#include "space/search_space.hpp"

namespace rungs::campaign {

struct MetricSpec {
  std::string name = "loss";  // the report field the scheduler ranks by
  bool maximize = false;      // internally everything is minimized: maximized metrics are negated
  double to_minimize(double reported) const { return maximize ? -reported : reported; }
  double from_minimized(double value) const { return maximize ? -value : value; }
};

enum class ReportFormat { Json, Regex };

struct TrialSpec {
  std::vector<std::string> command;           // argv template; placeholders like {lr}
  std::map<std::string, std::string> env;     // extra environment variables
  ReportFormat report_format = ReportFormat::Json;
  std::string report_pattern;                 // for ReportFormat::Regex
  std::chrono::milliseconds timeout{0};       // per run; 0 = none
  std::chrono::milliseconds grace{5000};      // SIGTERM -> SIGKILL
};

struct CampaignSpec {
  std::string name;
  std::filesystem::path file;          // the YAML file, absolute
  std::filesystem::path directory;     // its folder: relative paths in the YAML start here
  std::filesystem::path output;        // where results go (absolute); may be empty = default
  std::uint64_t seed = 0;
  MetricSpec metric;
  space::SearchSpace space;
  fidelity::BudgetLadder ladder;
  SchedulerSpec scheduler;
  OptimizerSpec optimizer;
  TrialSpec trial;
};

// Reads and validates a campaign file. Throws ConfigError.
CampaignSpec load_campaign(const std::filesystem::path& file);
// The same from text (tests); `file_name` is used in messages and `directory` for relative paths.
CampaignSpec parse_campaign(const std::string& text, const std::string& file_name,
                            const std::filesystem::path& directory);

// The placeholders a trial command may use besides the parameters and budget dimensions.
const std::vector<std::string>& builtin_placeholders();

}  // namespace rungs::campaign
