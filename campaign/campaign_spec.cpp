#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

const std::vector<std::string>& builtin_placeholders() {
  static const std::vector<std::string> names = {"trial_id", "trial_dir", "campaign_dir", "budget",
                                                 "level", "resume"};
  return names;
}

const std::vector<std::string>& protocol_variables() {
  static const std::vector<std::string> names = {"RUNGS_TRIAL_ID", "RUNGS_TRIAL_DIR", "RUNGS_PARAMS",
                                                 "RUNGS_BUDGET",   "RUNGS_LEVEL",     "RUNGS_RESUME",
                                                 "RUNGS_RESUME_LEVEL", "RUNGS_PARAMS_FILE"};
  return names;
}

}  // namespace rungs::campaign
