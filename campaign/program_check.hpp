#pragma once
// Finding a campaign's trial program before anything runs, so that a typo in
// trial.command[0] is a configuration error now rather than a failed run per trial later.
// Called by `rungs run`, `rungs resume` and `rungs validate` (campaign/commands.hpp).
#include <filesystem>
#include <vector>

#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

// A program given with a slash must be an executable file (relative to the campaign file's
// folder); a bare name is looked up in PATH, then in `program_dirs`
// (runners/program_lookup.hpp). A program built from placeholders is known only per trial
// and is not checked. Throws ConfigError at trial.command[0].
void check_program(const CampaignSpec& spec, const std::vector<std::filesystem::path>& program_dirs);

}  // namespace rungs::campaign
