#include "store/lineage.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace rungs::store {

std::vector<Inheritance> inheritances(const std::vector<Event>& events) {
  std::vector<Inheritance> out;
  for (const auto& event : events) {
    if (event.kind != EventKind::Launch || !event.trial) continue;
    const auto found = event.data.find("inherits");
    if (found == event.data.end() || !found->is_object()) continue;
    const auto& i = *found;
    out.push_back({event.time, *event.trial, i.value("from", std::int64_t{0}), i.value("replaced", std::int64_t{0}),
                   i.value("member", std::int64_t{0}), i.value("units", 0.0), i.value("from_params", nlohmann::json()),
                   i.value("replaced_params", nlohmann::json()), i.value("params", nlohmann::json())});
  }
  return out;
}

void to_json(nlohmann::json& json, const Inheritance& i) {
  json = {{"time", i.time}, {"trial", i.trial}, {"from", i.from}, {"replaced", i.replaced}, {"member", i.member},
          {"units", i.units}, {"from_params", i.from_params}, {"replaced_params", i.replaced_params},
          {"params", i.params}};
}

namespace {

struct TrialSpan {
  double start = 0, end = 0;  // units: where its first run started, the largest budget launched
  nlohmann::json params;
  std::optional<std::int64_t> donor;
};

std::map<std::int64_t, TrialSpan> spans_of(const std::vector<Event>& events) {
  std::map<std::int64_t, TrialSpan> spans;
  for (const auto& event : events) {
    if (event.kind != EventKind::Launch || !event.trial) continue;
    const double units = event.data.value("units", 0.0);
    auto [it, first] = spans.try_emplace(*event.trial);
    TrialSpan& span = it->second;
    if (first) {
      span.params = event.data.value("params", nlohmann::json::object());
      if (const auto inherits = event.data.find("inherits"); inherits != event.data.end() && inherits->is_object()) {
        span.donor = inherits->at("from").get<std::int64_t>();
        span.start = inherits->value("units", 0.0);
      }
    }
    span.end = std::max(span.end, units);
  }
  return spans;
}

}  // namespace

std::vector<ScheduleSegment> schedule_of(const std::vector<Event>& events, std::int64_t trial) {
  const auto spans = spans_of(events);
  std::vector<ScheduleSegment> reversed;
  std::set<std::int64_t> seen;  // a corrupt log must not loop
  std::optional<std::int64_t> current = trial;
  double until = -1;  // where the later segment took over
  while (current && seen.insert(*current).second) {
    const auto span = spans.find(*current);
    if (span == spans.end()) break;
    const double to = until < 0 ? span->second.end : until;
    reversed.push_back({*current, span->second.start, to, span->second.params});
    until = span->second.start;
    current = span->second.donor;
  }
  std::vector<ScheduleSegment> schedule;
  for (auto it = reversed.rbegin(); it != reversed.rend(); ++it) {
    if (!schedule.empty() && schedule.back().params == it->params) {
      schedule.back().to = it->to;
      schedule.back().trial = it->trial;
    } else {
      schedule.push_back(*it);
    }
  }
  return schedule;
}

nlohmann::json to_json(const std::vector<ScheduleSegment>& schedule) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& s : schedule) out.push_back({{"trial", s.trial}, {"from", s.from}, {"to", s.to}, {"params", s.params}});
  return out;
}

namespace {

std::string value_text(const nlohmann::json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_float()) return fmt::format("{:.4g}", value.get<double>());
  return value.dump();
}

}  // namespace

std::string describe_schedule(const std::vector<ScheduleSegment>& schedule, const std::string& unit) {
  std::set<std::string> changing;
  for (std::size_t i = 1; i < schedule.size(); ++i)
    for (const auto& [name, value] : schedule[i].params.items())
      if (!schedule[i - 1].params.contains(name) || schedule[i - 1].params[name] != value) changing.insert(name);
  std::string text;
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    std::string values;
    for (const auto& [name, value] : schedule[i].params.items()) {
      if (i > 0 && !changing.count(name)) continue;
      values += fmt::format("{}{} {}", values.empty() ? "" : ", ", name, value_text(value));
    }
    text += fmt::format("{}{} for {}{:g}-{:g}", i ? "; " : "", values, i ? "" : unit + " ", schedule[i].from, schedule[i].to);
  }
  return text;
}

}  // namespace rungs::store
