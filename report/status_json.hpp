#pragma once
// `rungs status --json`: the status as one JSON object for scripts and dashboards, from the
// same snapshot the text tables print (report/snapshot.hpp). docs/status.md documents every
// field; fields are only ever added, never renamed. With --watch, one object per line.
#include <nlohmann/json.hpp>

#include "report/snapshot.hpp"
#include "report/status.hpp"

namespace rungs::report {

// The trials listed are those the text lists (the best `top` and the running ones, or all
// with `all`), best first.
nlohmann::json status_json(const CampaignSnapshot& snapshot, const StatusOptions& options);

}  // namespace rungs::report
