#pragma once
// Reading a campaign's log back when it resumes (campaign/campaign_loop.hpp).
//
// Replaying re-executes the campaign: the recorded reports, run ends and retries are its
// inputs (next_input()); whatever the loop writes in reaction (launches, decisions, trial
// states, pauses) must meet the next recorded event instead of being written again (match()).
// When the log runs out, the campaign is exactly where it stopped and goes on live. Warnings,
// the interruptions' own events (resume, relaunch) and an earlier end (finish: a finished
// campaign run again) are not re-created and are skipped. A resume that grew the campaign
// (its data holds `grown`, campaign/campaign_growth.hpp) is where the larger bounds took
// effect: next_input() hands it out as an input (the loop grows, then hands out work), and
// match() passing it calls the growth handler (the loop was handing out work when it grew).
#include <cstddef>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/store.hpp"

namespace rungs::campaign {

// The recorded campaign does not match what this scheduler does with it: the YAML, the seed
// or rungs itself changed since the events were written.
struct ReplayMismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ReplayLog {
 public:
  ReplayLog() = default;
  ReplayLog(std::vector<store::Event> events, std::filesystem::path database);

  // Events are left to replay.
  bool active() const { return active_; }
  // The time of the event replayed last: campaign time while replaying.
  double time() const { return time_; }
  // The time of the last recorded event, where a resumed campaign goes on.
  double end_time() const { return events_.empty() ? 0.0 : events_.back().time; }
  std::size_t size() const { return events_.size(); }

  // The next recorded input, or nullptr once the log is exhausted (then active() is false).
  // Throws ReplayMismatch if the next event is one the loop should have written itself.
  const store::Event* next_input();
  // While active: true if `event` is the next recorded one (consumed); false once the log is
  // exhausted (then active() is false: write it). Throws ReplayMismatch if it differs.
  bool match(const store::Event& event);
  // Called when match() passes a growth (see above).
  void on_growth(std::function<void(const store::Event&)> handler) { on_growth_ = std::move(handler); }
  // An event that names a run that is not out.
  ReplayMismatch mismatch(const store::Event& recorded, const std::string& what) const;

 private:
  void skip_uncreated(bool stop_at_growth);
  std::function<void(const store::Event&)> on_growth_;

  std::vector<store::Event> events_;
  std::filesystem::path database_;
  std::size_t cursor_ = 0;
  bool active_ = false;
  double time_ = 0;
};

}  // namespace rungs::campaign
