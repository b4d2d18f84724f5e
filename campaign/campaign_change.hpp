#pragma once
// Changing a campaign's YAML between a stop and a resume. A resumed campaign rebuilds its
// scheduler and optimizer by replaying its log through them (campaign/campaign_loop.hpp), so
// everything that shapes their decisions must stay as it was: the search space, the budget,
// the scheduler (max_concurrent included), the optimizer, the metric and the seed. What only
// says how trials run may change and applies to runs launched from then on: `trial`
// (command, environment, timeout...), `output` and `plugins`. The bounds of its budget may
// grow (`limits:`, scheduler iterations, max_trials, max_budget): campaign_growth.hpp checks them.
#include <filesystem>
#include <string>

namespace rungs::campaign {

// Throws ConfigError located in `new_file` at the first key whose value differs from the
// campaign started with `recorded_yaml` (kept in `campaign_dir`), saying what it was.
void check_compatible_change(const std::string& recorded_yaml, const std::filesystem::path& new_file,
                             const std::filesystem::path& campaign_dir);

}  // namespace rungs::campaign
