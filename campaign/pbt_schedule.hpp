#pragma once
// Population-based training's result is a schedule: the hyperparameters a member's weights
// were trained with, over budget (scheduler/pbt.hpp). What is recorded and how it reads back:
//
//  - inheritance_record(): the `inherits` field of the launch event of a trial that starts from
//    another trial's checkpoint (and the trial's inherited.json, checkpoint_copy.hpp):
//      {"from": donor trial, "replaced": the member's previous trial, "member": m,
//       "level": donor's level copied, "units": its budget units, "budget": its budget point,
//       "from_params": the donor's configuration, "replaced_params": the previous trial's,
//       "params": the new (explored) configuration}
//  - schedule_of(): a trial's schedule, from the log's launch events: the trial's own
//    segment, preceded by its donor's segments up to the budget it inherited at, and so on
//    back to a trial that started from scratch. Segments with the same configuration merge.
//  - describe_schedule(): "lr 0.01, wd 1e-4 for epochs 0-8; lr 0.012 for 8-16; ..." (only the
//    parameters that change after the first segment are repeated), for `rungs run`'s end.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "scheduler/scheduler.hpp"
#include "store/store.hpp"

namespace rungs::campaign {

nlohmann::json inheritance_record(const CampaignSpec& spec, const scheduler::Job& job, const space::Config& donor,
                                  const space::Config& replaced);

struct ScheduleSegment {
  std::int64_t trial = 0;
  double from = 0, to = 0;  // budget units: trained from `from` to `to` with `params`
  nlohmann::json params = nlohmann::json::object();
};

// Oldest segment first; empty when the trial was never launched.
std::vector<ScheduleSegment> schedule_of(const std::vector<store::Event>& events, std::int64_t trial);

// The JSON `rungs export` and best.json carry: [{"trial", "from", "to", "params"}, ...].
nlohmann::json to_json(const std::vector<ScheduleSegment>& schedule);

// `unit`: what the budget units are called ("epochs", or "units").
std::string describe_schedule(const std::vector<ScheduleSegment>& schedule, const std::string& unit);

}  // namespace rungs::campaign
