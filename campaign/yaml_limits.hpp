#pragma once
// Reading a campaign's `limits:` section (campaign/campaign_bounds.hpp), at the file's top level:
//
//   limits: {cost: 5200, wall: 48h, trials: 1000}     # any of them, for every scheduler
//
// and the checks that tie it to the `scheduler:` section: an asynchronous scheduler needs
// some limit (limits, or its own max_trials / max_budget); a synchronous one given a limit
// and no `iterations` runs iterations until the limit.
#include "campaign/campaign_spec.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

LimitSettings read_limits(const YamlNode& node);

// Reads `limits:` from `root` if present into `spec` (whose scheduler is read already) and
// applies the checks above. Throws ConfigError.
void read_campaign_limits(CampaignSpec& spec, const YamlNode& root);

}  // namespace rungs::campaign
