#pragma once
// The campaign's event journal: how the campaign loop records what happens, fresh or resumed.
//
// The loop hands every event it makes to write() BEFORE the event takes effect. On a fresh
// campaign write() appends it to the store. On a resumed one (a store that already holds
// events) the journal first replays the recorded log (campaign/replay_log.hpp): the recorded
// inputs (reports, run ends, retries) come out of next_input(), and whatever the loop writes
// in reaction must be the next recorded event: write() then answers "recorded already" and
// stores nothing; an event that differs throws ReplayMismatch. The first event the log no
// longer holds ends the replay: the replay-end handler runs (it writes the interruption's own
// events: resume, relaunches) and then that event is written. From then on every event is
// appended.
//
// The journal owns the campaign clock: while replaying, campaign time is the time of the
// event replayed last; afterwards it is the given clock (a simulation's virtual one, moved to
// the last recorded time by `restore_clock`) or the steady clock plus the time the campaign
// had already run.
//
// One caller (the loop), on the event loop's thread.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "campaign/replay_log.hpp"
#include "store/store.hpp"

namespace rungs::campaign {

class EventJournal {
 public:
  // `clock`: seconds since the campaign started; empty = the steady clock from now on.
  // `restore_clock`: with `clock`, moves it to the last recorded time when the replay ends.
  EventJournal(store::CampaignStore& store, std::function<double()> clock = {},
               std::function<void(double)> restore_clock = {});

  // Runs once, when the replay ends, after the clock is restored and before the event that
  // ended it is written. Its own writes are appended.
  void on_replay_end(std::function<void()> handler) { on_replay_end_ = std::move(handler); }

  // Growths in the log (replay_log.hpp): the handler runs where match() passes one.
  void on_recorded_growth(std::function<void(const store::Event&)> handler) { log_.on_growth(std::move(handler)); }

  // Recorded events are being replayed: nothing the loop writes reaches the store, and
  // nothing it decides may reach a runner.
  bool replaying() const { return log_.size() > 0 && !replay_ended_; }
  // How many events the store held when the campaign was opened (0: a fresh campaign).
  std::size_t recorded() const { return log_.size(); }
  // The time of the last recorded event: where a resumed campaign goes on.
  double end_time() const { return log_.end_time(); }

  // The next recorded input to re-apply, or nullptr when there is none left (the replay
  // has not ended yet then: end_replay() ends it). Throws ReplayMismatch when the next
  // recorded event is one the loop should have made itself.
  const store::Event* next_input();
  // Ends the replay if it is on (the handler runs). The loop calls it once it has re-applied
  // every input.
  void end_replay();

  // Appends `event` (with the trial row `row` makes, if any, in the same transaction), or,
  // while replaying, checks it against the log: returns true if it was recorded already
  // (nothing is written, `row` is not called). Throws ReplayMismatch if it differs.
  bool write(store::Event event, const std::function<store::TrialRow()>& row = {});
  // Appends whatever the replay: events a replay never re-creates (warnings, the finish).
  void append(store::Event event);

  // Group commit. Once on, the journal's writes are durable only when commit() returns: the
  // loop commits before anything it recorded takes effect outside rungs (a launch, a stop, a
  // pause; TrialProcesses calls it), and `post` schedules a commit after the handler at work
  // (one per burst of lines: a flooding trial costs one commit per few reads, not one per
  // line; the posted commit waits up to 3 more turns of the loop while each brings events).
  // The campaign's `post` runs it after a short delay (dispatcher.cpp), so that lines that
  // trickle in, one every few milliseconds, share commits too.
  // What a crash loses is therefore what had no effect yet; the trials' output files hold the
  // lines again (the runner follows them from the last recorded offset).
  void group_commits(std::function<void(std::function<void()>)> post);
  void commit();
  // Back to one commit per event (after committing what is held): for the writes made once
  // the event loop has stopped, when no posted commit would run.
  void commit_each();

  // An error naming a recorded event that does not fit the replayed state.
  ReplayMismatch mismatch(const store::Event& recorded, const std::string& what) const {
    return log_.mismatch(recorded, what);
  }

  // Campaign seconds (see above).
  double now() const;

 private:
  store::CampaignStore& store_;
  ReplayLog log_;
  bool replay_ended_ = false;
  std::function<void()> on_replay_end_;
  std::function<double()> clock_;
  std::function<void(double)> restore_clock_;
  std::function<void(std::function<void()>)> post_;  // group commits: schedules commit()
  bool commit_posted_ = false;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // a posted commit outliving the journal does nothing
  void written();  // after each append: schedules or forces the group's commit
  void post_commit(int deferrals, std::size_t seen);
  std::chrono::steady_clock::time_point started_;
  double time_offset_ = 0;  // steady clock only: what the campaign ran before a resume
};

}  // namespace rungs::campaign
