#pragma once
// Population-based training's record of an inheritance (scheduler/pbt.hpp): the `inherits`
// field of the launch event of a trial that starts from another trial's checkpoint, and the
// content of its inherited.json (checkpoint_copy.hpp). store/lineage.hpp documents the fields
// and reads them back (the lineage, a member's schedule).
#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

// `job` has inherits and resume_from; `donor` and `replaced` are those trials' configurations.
nlohmann::json inheritance_record(const CampaignSpec& spec, const scheduler::Job& job, const space::Config& donor,
                                  const space::Config& replaced);

}  // namespace rungs::campaign
