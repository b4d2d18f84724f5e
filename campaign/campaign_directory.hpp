#pragma once
// A new campaign directory: the copy of the campaign file it was started with (so that it
// describes itself) and its store (store/store.hpp). docs/storage.md lists what else goes
// there as the campaign runs.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "store/store.hpp"

namespace rungs::campaign {

// The search space and the budget ladder as the store records them (store/records.hpp).
std::vector<store::ParameterInfo> describe_space(const space::SearchSpace& space);
store::LadderInfo describe_ladder(const fidelity::BudgetLadder& ladder);

// Creates `output` (which must be empty or missing) for `spec`: campaign.yaml and rungs.db,
// whose campaign row records the space and the ladder (describe_space, describe_ladder).
// `mode` is "run" or "simulate"; `options` what else a resume needs (simulation settings).
// Throws std::runtime_error when `output` already holds files.
store::CampaignStore create_campaign_directory(const CampaignSpec& spec, const std::filesystem::path& output,
                                        const std::string& mode, const nlohmann::json& options);

}  // namespace rungs::campaign
