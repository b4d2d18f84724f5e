#pragma once
// A campaign's directory: where it goes, creating it (the copy of the campaign file it was
// started with, so that it describes itself, and its store, store/store.hpp), and opening
// it again to resume. docs/storage.md lists what else goes there as the campaign runs.
// Called by the `rungs run / simulate / resume` commands (campaign/commands.hpp).
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

// The results directory, absolute: `flag` (--output) if given, else the campaign's `output:`
// (real runs only), else runs/NAME-TIMESTAMP (runs/NAME-sim-TIMESTAMP for a simulation),
// which is created here, new (claim_new_directory): two campaigns started in the same second
// get a folder each.
std::filesystem::path output_directory(const CampaignSpec& spec, const std::string& flag, bool simulated);

// Creates a new, empty directory: `wanted`, or `wanted`-2, -3, ... when that name exists,
// each tried with one mkdir (atomic: of several processes claiming the same name, one gets
// it, the others the next). Parents are created. Returns the directory it made; throws
// std::filesystem::filesystem_error when mkdir fails otherwise (no permission, ...).
std::filesystem::path claim_new_directory(const std::filesystem::path& wanted);

// Creates `output` (which must be empty or missing) for `spec`: campaign.yaml and rungs.db,
// whose campaign row records the space and the ladder (describe_space, describe_ladder).
// `mode` is "run" or "simulate"; `options` what else a resume needs (simulation settings).
// Throws std::runtime_error when `output` already holds files.
store::CampaignStore create_campaign_directory(const CampaignSpec& spec, const std::filesystem::path& output,
                                        const std::string& mode, const nlohmann::json& options);

// The campaign's store: a new one in an empty (or missing) `output`; or the campaign already
// there, to resume, if it was started the same way (`mode`, `options`; for "run", empty
// `options` mean "as recorded") and its file changed
// only in ways a resume allows (campaign/campaign_change.hpp; prints "Resuming ..." to
// stderr). Any other non-empty directory is refused. Throws ConfigError at `output`.
store::CampaignStore open_campaign_directory(const CampaignSpec& spec, const std::filesystem::path& output,
                                      const std::string& mode, const nlohmann::json& options);

// The spec a stored campaign was started with; relative paths in it still start at the
// original file's folder. Throws ConfigError if the recorded YAML no longer reads.
CampaignSpec stored_spec(const store::CampaignStore& store);

}  // namespace rungs::campaign
