#include "campaign/event_journal.hpp"

namespace rungs::campaign {

EventJournal::EventJournal(store::CampaignStore& store, std::function<double()> clock,
                           std::function<void(double)> restore_clock)
    : store_(store),
      log_(store.events(), store.directory() / store::CampaignStore::kFileName),
      clock_(std::move(clock)),
      restore_clock_(std::move(restore_clock)),
      started_(std::chrono::steady_clock::now()) {}

const store::Event* EventJournal::next_input() {
  if (!replaying()) return nullptr;
  return log_.next_input();
}

void EventJournal::end_replay() {
  if (!replaying()) return;
  replay_ended_ = true;
  const double last = log_.end_time();
  if (restore_clock_) restore_clock_(last);
  else time_offset_ = last;
  if (on_replay_end_) on_replay_end_();
}

bool EventJournal::write(store::Event event, const std::function<store::TrialRow()>& row) {
  if (replaying()) {
    if (log_.active() && log_.match(event)) return true;
    end_replay();  // the log holds no more: this event is the first one of the live campaign
  }
  if (!row) {
    store_.append(std::move(event));
    return false;
  }
  const store::TrialRow trial_row = row();
  store_.append(std::move(event), &trial_row);
  return false;
}

void EventJournal::append(store::Event event) { store_.append(std::move(event)); }

double EventJournal::now() const {
  if (replaying()) return log_.time();
  if (clock_) return clock_();
  return time_offset_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace rungs::campaign
