#include "campaign/slurm_check.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <fstream>
#include <set>

#include "runners/command_call.hpp"
#include "text/safe_text.hpp"

namespace rungs::campaign {

namespace {

// Which key a refusal is about, from words in sbatch's message.
std::string key_of(const std::string& message) {
  for (const auto& [word, key] : {std::pair{"partition", "partition"}, {"account", "account"}, {"qos", "qos"},
                                  {"QOS", "qos"}, {"generic resource", "gres"}, {"gres", "gres"},
                                  {"Memory", "mem"}, {"memory", "mem"}, {"time limit", "time"},
                                  {"CPU count", "cpus_per_task"}, {"cpus-per-task", "cpus_per_task"}})
    if (message.find(word) != std::string::npos) return key;
  return {};
}

}  // namespace

void check_slurm(const CampaignSpec& spec) {
  if (spec.runner.kind != RunnerSpec::Kind::Slurm) return;
  const auto& slurm = spec.runner.slurm;
  auto fail = [&](const std::string& key, const std::string& message) {
    const auto at = slurm.written_at.find(key);
    throw ConfigError(at != slurm.written_at.end() ? at->second : slurm.at, "runner" + (key.empty() ? "" : "." + key),
                      message);
  };
  // --test-only reads the script's #SBATCH lines, so it needs one; it is never run.
  const auto script = std::filesystem::temp_directory_path() / fmt::format("rungs-test-only-{}.sh", ::getpid());
  std::ofstream(script) << "#!/bin/sh\ntrue\n";
  std::set<std::vector<std::string>> asked;
  for (std::size_t level = 0; level < spec.ladder.levels(); ++level) {
    const auto options = sbatch_options(slurm, level);
    if (!asked.insert(options).second) continue;
    std::vector<std::string> argv = {"sbatch", "--test-only"};
    argv.insert(argv.end(), options.begin(), options.end());
    argv.push_back(script.string());
    const auto result = runners::call_command_sync(argv, runners::environment_with({}), std::chrono::seconds(60));
    if (result.ok()) continue;
    std::filesystem::remove(script);
    const auto message = text::safe_text(result.message());
    if (!result.ran) fail("", fmt::format("cannot run sbatch ({}): is this a Slurm login node?", message));
    if (result.timed_out || message.find("Unable to contact") != std::string::npos)
      fail("", fmt::format("cannot reach the Slurm controller: {}", message));
    // The key the message names, at this level if the level sets it.
    auto key = key_of(message);
    const auto by_level = slurm.levels.upper_bound(level);
    if (!key.empty() && by_level != slurm.levels.begin()) {
      const auto level_key = fmt::format("levels.{}.{}", std::prev(by_level)->first, key);
      if (slurm.written_at.count(level_key)) key = level_key;
    }
    if (!key.empty() && !slurm.written_at.count(key)) key.clear();
    fail(key, fmt::format("Slurm refuses the jobs of budget level {} ({}): {}", level,
                          fmt::join(options, " "), message));
  }
  std::filesystem::remove(script);
}

}  // namespace rungs::campaign
