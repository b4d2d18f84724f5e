#pragma once
// How much work a campaign has in front of it, as far as its settings say, for the progress
// line's "trials done of the limit" and its estimate of the time left (progress_line.hpp).
// Pure: from the spec alone, computed once when the loop starts.
//
//  - hyperband, successive_halving: a fixed schedule (scheduler/hyperband_schedule.hpp). The
//    trials are the first stages' configurations over all brackets and iterations; the budget
//    is every stage's runs charged as the loop charges them (fidelity::run_cost: a stage after
//    the first resumes from the level below), so it is the "budget" the progress line counts
//    when every run goes to its end. Runs stopped early by a stopping rule or failed make the
//    real total smaller.
//  - asha, async_hyperband: what the campaign file sets, max_trials and/or max_units (the
//    scheduler's units, scheduler/async_bracket_scheduler.hpp); no budget is planned.
//  - freeze_thaw, pbt: max_trials, and max_budget as the budget (it is the cost charged).
//  - `limits:` (campaign_bounds.hpp), any scheduler: cost and wall are totals of their own;
//    trials caps the trial total. A synchronous schedule that only limits stop plans nothing.
#include <cstddef>
#include <optional>

#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

struct CampaignLimits {
  std::optional<std::size_t> trials;  // new configurations in all
  std::optional<double> budget;       // planned charge, in the progress line's budget units
  std::optional<double> units;        // ASHA's max_units, in scheduler units
  std::optional<double> cost;         // limits.cost, in budget cost units
  std::optional<double> wall;         // limits.wall, campaign seconds
};

CampaignLimits campaign_limits(const CampaignSpec& spec);

}  // namespace rungs::campaign
