#pragma once
// What a campaign's warm start (campaign/warm_start.hpp: past campaigns' observations and best
// configurations, a narrowed space) was, from the copy rungs.db keeps of it: the `warm_start`
// field of `rungs status --json` (docs/status.md) and the HTML report's warm-start card.
#include <nlohmann/json.hpp>

#include "store/records.hpp"

namespace rungs::report {

// null without a warm start, else {sources: [{path, campaign, mode, observations, dropped,
// changes, levels, best (a count)}], observations, first (counts), narrowed: [{parameter,
// from, to}]}.
nlohmann::json warm_start_summary(const store::CampaignInfo& info);

}  // namespace rungs::report
