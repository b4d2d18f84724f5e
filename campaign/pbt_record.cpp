#include "campaign/pbt_record.hpp"

#include "campaign/trial_launch.hpp"

namespace rungs::campaign {

nlohmann::json inheritance_record(const CampaignSpec& spec, const scheduler::Job& job, const space::Config& donor,
                                  const space::Config& replaced) {
  const auto& inherits = *job.inherits;
  const auto& from = *job.resume_from;
  return {{"from", inherits.donor},
          {"replaced", inherits.replaced},
          {"member", inherits.member},
          {"level", from.level},
          {"units", from.units},
          {"budget", to_json(spec.ladder, from)},
          {"from_params", to_json(donor)},
          {"replaced_params", to_json(replaced)},
          {"params", to_json(job.config)}};
}

}  // namespace rungs::campaign
