#include "campaign/replay_log.hpp"

#include <fmt/format.h>

namespace rungs::campaign {

ReplayLog::ReplayLog(std::vector<store::Event> events, std::filesystem::path database)
    : events_(std::move(events)), database_(std::move(database)), active_(!events_.empty()) {}

namespace {

bool is_growth(const store::Event& event) {
  return event.kind == store::EventKind::Resume && event.data.contains("grown");
}

}  // namespace

void ReplayLog::skip_uncreated(bool stop_at_growth) {
  while (cursor_ < events_.size() &&
         (events_[cursor_].kind == store::EventKind::Warning || events_[cursor_].kind == store::EventKind::Resume ||
          events_[cursor_].kind == store::EventKind::Relaunch || events_[cursor_].kind == store::EventKind::Finish)) {
    if (is_growth(events_[cursor_])) {
      if (stop_at_growth) return;
      time_ = events_[cursor_].time;
      if (on_growth_) on_growth_(events_[cursor_]);
    }
    ++cursor_;
  }
  if (cursor_ == events_.size()) active_ = false;
}

const store::Event* ReplayLog::next_input() {
  skip_uncreated(/*stop_at_growth=*/true);
  if (!active_) return nullptr;
  const store::Event& event = events_[cursor_];
  if (is_growth(event)) {
    ++cursor_;
    time_ = event.time;
    return &event;
  }
  if (event.kind != store::EventKind::Report && event.kind != store::EventKind::Exit && event.kind != store::EventKind::Retry)
    throw mismatch(event, "which this scheduler does not make at this point");
  ++cursor_;
  time_ = event.time;
  return &event;
}

bool ReplayLog::match(const store::Event& event) {
  skip_uncreated(/*stop_at_growth=*/false);
  if (!active_) return false;
  const store::Event& recorded = events_[cursor_];
  if (recorded.kind != event.kind || recorded.trial != event.trial || recorded.run != event.run ||
      recorded.data != event.data)
    throw mismatch(recorded, fmt::format("where this scheduler makes {} of trial {}, run {}: {}", to_string(event.kind),
                                         event.trial.value_or(0), event.run.value_or(0), event.data.dump()));
  ++cursor_;
  return true;
}

ReplayMismatch ReplayLog::mismatch(const store::Event& recorded, const std::string& what) const {
  return ReplayMismatch(fmt::format(
      "{}: event {} ({} of trial {}, run {}: {}) {}; the campaign's YAML, seed or rungs version changed since it "
      "was recorded",
      database_.string(), recorded.seq, to_string(recorded.kind), recorded.trial.value_or(0), recorded.run.value_or(0),
      recorded.data.dump(), what));
}

}  // namespace rungs::campaign
