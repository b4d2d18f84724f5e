#pragma once
// The one line that says a campaign starts from what its user knows: priors on parameters
// (`prior:`, space/prior.hpp) and configurations to try first (`start_with:`). `rungs
// validate` prints it for a file, `rungs status` for a campaign directory (from the YAML the
// campaign was started with, campaign.yaml in the directory):
//
// Implemented in yaml_prior_summary.cpp: reading the recorded file is YAML reading, which
// scripts/check_boundaries.sh keeps in campaign/yaml_* files.
//
//   Prior knowledge: priors on lr (center 0.0003, sigma 0.125), optimizer (weights adam 3 (others 1)); 2 start_with configurations
#include <cstddef>
#include <filesystem>
#include <string>

#include "space/search_space.hpp"

namespace rungs::campaign {

// "" when the campaign has neither.
std::string prior_summary(const space::SearchSpace& space, std::size_t start_with);

// The same for the campaign in `directory`; "" when it has neither, or when its campaign.yaml
// is missing or unreadable (status must still show the rest).
std::string recorded_prior_summary(const std::filesystem::path& directory);

}  // namespace rungs::campaign
