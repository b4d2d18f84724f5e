#pragma once
// A new campaign directory: the copy of the campaign file it was started with (so that it
// describes itself) and its store (store/store.hpp). docs/storage.md lists what else goes
// there as the campaign runs.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "store/store.hpp"

namespace rungs::campaign {

// Creates `output` (which must be empty or missing) for `spec`: campaign.yaml and rungs.db.
// `mode` is "run" or "simulate"; `options` what else a resume needs (simulation settings).
// Throws std::runtime_error when `output` already holds files.
store::CampaignStore create_campaign_directory(const CampaignSpec& spec, const std::filesystem::path& output,
                                        const std::string& mode, const nlohmann::json& options);

}  // namespace rungs::campaign
