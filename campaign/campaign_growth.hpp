#pragma once
// Growing a campaign that finished (or stopped at a limit): more iterations, a larger limit
// (limits.cost / wall / trials, scheduler.max_trials / max_budget), given in its YAML run
// again (`rungs run same.yaml -o DIR`) or on `rungs resume DIR --iterations N --limit cost=8000`
// (read and checked in campaign/yaml_growth.cpp: the last three functions below).
// Nothing else may change (campaign_change.hpp), and nothing may shrink.
//
// The campaign replays its log with the bounds it was recorded with, then the larger ones take
// effect (the scheduler grows in place: grow_scheduler) and it goes on: new brackets, new
// configurations, promotions of trials that waited at a rung, the job a limit held. The
// resume event records `grown: {from, to}` (campaign_bounds.hpp's JSON), so a later replay
// grows at the same point, and the store's recorded YAML becomes the grown one.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "scheduler/scheduler.hpp"
#include "store/store.hpp"

namespace rungs::campaign {

// The bounds the store's log starts with: the first growth's `from`, else those of the YAML
// the campaign recorded, else (nothing recorded, e.g. a spec parsed from text) the spec's.
CampaignBounds recorded_bounds(const CampaignSpec& spec, const store::CampaignStore& store);

// `spec` with the bounds its campaign started with (before any recorded growth): what its
// scheduler must be built from before run_campaign replays the store.
CampaignSpec as_started(const CampaignSpec& spec, const store::CampaignStore& store);

// Makes `scheduler` (built by make_scheduler, possibly wrapped in a stopping rule) go on to
// the bounds of `grown`: more brackets (Hyperband, successive halving) or larger limits
// (ASHA, asynchronous Hyperband). Throws std::invalid_argument for a bound that shrinks.
void grow_scheduler(scheduler::Scheduler& scheduler, const CampaignSpec& grown);

// The YAML side (yaml_growth.cpp).

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
