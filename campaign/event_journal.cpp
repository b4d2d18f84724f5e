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
  } else {
    const store::TrialRow trial_row = row();
    store_.append(std::move(event), &trial_row);
  }
  written();
  return false;
}

void EventJournal::append(store::Event event) {
  store_.append(std::move(event));
  written();
}

void EventJournal::group_commits(std::function<void(std::function<void()>)> post) {
  post_ = std::move(post);
  store_.hold_commits();
}

void EventJournal::commit() {
  commit_posted_ = false;
  store_.commit();
}

void EventJournal::commit_each() {
  commit();
  post_ = {};
  store_.hold_commits(false);
}

void EventJournal::written() {
  if (!post_) return;
  // A bound on what one commit holds, for a handler that writes without end.
  constexpr std::size_t kLargestGroup = 16384;
  if (store_.uncommitted() >= kLargestGroup) {
    store_.commit();
  } else if (!commit_posted_) {
    commit_posted_ = true;
    post_commit(0, store_.uncommitted());
  }
}

// A flood arrives one turn of the event loop at a time (runners read a bounded amount per
// turn, so that other runs' timers wait for no more than one): while each turn brings more
// events, the posted commit lets a few turns share it, then commits. A turn that brought none
// (the burst is over) commits at once.
void EventJournal::post_commit(int deferrals, std::size_t seen) {
  post_([this, alive = std::weak_ptr<int>(alive_), deferrals, seen] {
    if (!alive.lock() || !commit_posted_) return;
    constexpr int kMostDeferrals = 3;
    constexpr std::size_t kGroup = 4096;
    const std::size_t now = store_.uncommitted();
    if (deferrals < kMostDeferrals && now > seen && now < kGroup) {
      post_commit(deferrals + 1, now);
      return;
    }
    commit();
  });
}

double EventJournal::now() const {
  if (replaying()) return log_.time();
  if (clock_) return clock_();
  return time_offset_ + std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace rungs::campaign
