#pragma once
// Reading `metric:` (one metric, or a list of objectives), `scalarize:` and `constraints:`
// of a campaign file (campaign/objectives.hpp says what they mean). Errors point at the bad
// entry: file, line, column and key path.
#include "campaign/campaign_spec.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

// Sets spec.metric and spec.objectives from the root's `metric`, `scalarize` and
// `constraints` keys (all optional).
void read_objectives(CampaignSpec& spec, const YamlNode& root);

}  // namespace rungs::campaign
