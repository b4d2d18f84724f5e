#pragma once
// Population-based training's lineage and schedules, read from a campaign's log
// (scheduler/pbt.hpp; campaign/pbt_record.hpp writes the records). The launch event of a
// trial that starts from another trial's checkpoint holds `inherits`:
//   {"from": donor trial, "replaced": the member's previous trial, "member": m,
//    "level": the donor's level copied, "units": its budget units, "budget": its budget point,
//    "from_params": the donor's configuration, "replaced_params": the previous trial's,
//    "params": the new (explored) configuration}
//  - inheritances(): every such launch, in log order (the report's lineage chart);
//  - schedule_of(): a trial's schedule: the trial's own segment, preceded by its donor's
//    segments up to the budget it inherited at, and so on back to a trial that started from
//    scratch; consecutive segments with the same configuration merge;
//  - describe_schedule(): "lr 0.01, wd 1e-4 for epochs 0-8; lr 0.012 for 8-16; ..." (after the
//    first segment only the parameters that change are named), for `rungs run`'s end.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/store.hpp"

namespace rungs::store {

struct Inheritance {
  double time = 0;  // campaign seconds of the launch
  std::int64_t trial = 0, from = 0, replaced = 0, member = 0;
  double units = 0;  // the donor's budget copied
  nlohmann::json from_params, replaced_params, params;
};

std::vector<Inheritance> inheritances(const std::vector<Event>& events);

struct ScheduleSegment {
  std::int64_t trial = 0;
  double from = 0, to = 0;  // budget units: trained from `from` to `to` with `params`
  nlohmann::json params = nlohmann::json::object();
};

// Oldest segment first; empty when the trial was never launched.
std::vector<ScheduleSegment> schedule_of(const std::vector<Event>& events, std::int64_t trial);

// [{"trial", "from", "to", "params"}, ...]: best.json's and `rungs export`'s `schedule`.
nlohmann::json to_json(const std::vector<ScheduleSegment>& schedule);
void to_json(nlohmann::json& json, const Inheritance& inheritance);

// `unit`: what the budget units are called ("epochs", or "units").
std::string describe_schedule(const std::vector<ScheduleSegment>& schedule, const std::string& unit);

}  // namespace rungs::store
