#pragma once
// The YAML side of growing a campaign (campaign/campaign_growth.hpp): which keys may grow, the
// check that they only grow, and `rungs resume DIR --iterations N --limit KEY=VALUE`.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

// Keys a growth may change, as campaign_change.cpp's key paths: "limits" and its keys,
// "scheduler.iterations", "scheduler.max_trials", "scheduler.max_budget".
bool growable_key(const std::string& path);

// True when `now` (read from `now_yaml`, named `now_file` in messages) grows the campaign
// recorded as `recorded_yaml` in `campaign_dir`; false when its bounds are the same. Throws
// ConfigError at the key that shrinks.
bool check_growth(const std::string& recorded_yaml, const std::filesystem::path& campaign_dir, const CampaignSpec& now,
                  const std::string& now_yaml, const std::string& now_file);

// The recorded YAML with `--iterations` and `--limit cost=8000 wall=72h trials=2000
// max_trials=300 max_budget=9000` applied (limits.* or scheduler.*). Throws ConfigError naming
// the option for an unknown key or a value that does not read.
std::string grown_yaml(const std::string& recorded_yaml, const std::string& file_name,
                       std::optional<std::size_t> iterations, const std::vector<std::string>& limits);

}  // namespace rungs::campaign
