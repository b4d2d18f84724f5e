// The event journal over a real store: a fresh campaign writes every event; a resumed one
// matches what the loop makes against the recorded log, throws on a difference, and ends the
// replay at the first event the log no longer holds (which is then written).
#include <doctest/doctest.h>

#include <vector>

#include "campaign/event_journal.hpp"
#include "store/store.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
using store::Event;
using store::EventKind;
namespace fs = std::filesystem;

namespace {

store::Event event(double time, store::EventKind kind, std::int64_t trial, std::int64_t run, nlohmann::json data) {
  return {time, kind, trial, run, std::move(data)};
}

store::CampaignStore new_store(const fs::path& dir) {
  store::CampaignInfo info;
  info.name = "journal";
  info.metric = "loss";
  return store::CampaignStore::create(dir, info);
}

std::vector<store::EventKind> kinds(const store::CampaignStore& store) {
  std::vector<store::EventKind> out;
  for (const auto& e : store.events()) out.push_back(e.kind);
  return out;
}

}  // namespace

TEST_CASE("journal: a fresh campaign writes every event, with the trial row, on the given clock") {
  TempDir dir;
  auto store = new_store(dir.path());
  double clock = 7;
  bool restored = false;
  campaign::EventJournal journal(store, [&] { return clock; }, [&](double) { restored = true; });
  CHECK_FALSE(journal.replaying());
  CHECK(journal.recorded() == 0);
  CHECK(journal.now() == 7);
  CHECK(journal.next_input() == nullptr);

  store::TrialRow row;
  row.trial = 1;
  row.state = "running";
  CHECK_FALSE(journal.write(event(7, store::EventKind::Launch, 1, 1, {{"level", 0}}), [&] { return row; }));
  journal.append(event(8, store::EventKind::Warning, 1, 1, {{"message", "odd line"}}));
  journal.end_replay();  // nothing to end
  CHECK_FALSE(restored);
  CHECK(kinds(store) == std::vector{store::EventKind::Launch, store::EventKind::Warning});
  const auto trials = store.trials();
  REQUIRE(trials.size() == 1);
  CHECK(trials[0].state == "running");
}

TEST_CASE("journal: replayed events are matched, the first unmatched one ends the replay and is written") {
  TempDir dir;
  {
    auto store = new_store(dir.path());
    store.append(event(1, store::EventKind::Launch, 1, 1, {{"level", 0}}));
    store.append(event(2, store::EventKind::Report, 1, 1, {{"value", 0.5}}));
    store.append(event(2.5, store::EventKind::Warning, 1, 1, {{"message", "skipped by the replay"}}));
    store.append(event(3, store::EventKind::Decision, 1, 1, {{"decision", "stop"}}));
  }
  auto store = store::CampaignStore::open(dir.path());
  double clock = 0;
  std::vector<double> restored_to;
  campaign::EventJournal journal(store, [&] { return clock; }, [&](double t) { restored_to.push_back(t); clock = t; });
  int ends = 0;
  journal.on_replay_end([&] {
    ++ends;
    CHECK_FALSE(journal.replaying());
    // The handler's own events go to the store, before the event that ended the replay.
    CHECK_FALSE(journal.write(event(journal.now(), store::EventKind::Resume, 0, 0, {{"events", journal.recorded()}})));
  });
  REQUIRE(journal.replaying());
  CHECK(journal.recorded() == 4);
  CHECK(journal.end_time() == 3);

  // What the loop makes in reaction is matched: nothing is written.
  CHECK(journal.write(event(1, store::EventKind::Launch, 1, 1, {{"level", 0}})));
  const store::Event* input = journal.next_input();
  REQUIRE(input != nullptr);
  CHECK(input->kind == store::EventKind::Report);
  CHECK(journal.now() == 2);  // campaign time is the replayed event's
  CHECK(journal.write(event(3, store::EventKind::Decision, 1, 1, {{"decision", "stop"}})));
  CHECK(journal.replaying());
  CHECK(store.events().size() == 4);

  // The log holds no more: this event ends the replay, the handler runs first.
  CHECK_FALSE(journal.write(event(3, store::EventKind::Launch, 2, 2, {{"level", 0}})));
  CHECK_FALSE(journal.replaying());
  CHECK(ends == 1);
  CHECK(restored_to == std::vector<double>{3});
  CHECK(journal.now() == 3);
  const auto all = store.events();
  REQUIRE(all.size() == 6);
  CHECK(all[4].kind == store::EventKind::Resume);
  CHECK(all[4].data["events"] == 4);
  CHECK(all[5].kind == store::EventKind::Launch);
  CHECK(all[5].trial == 2);
  journal.end_replay();  // once only
  CHECK(ends == 1);
}

TEST_CASE("journal: an event that differs from the recorded one throws, inputs out of place throw") {
  TempDir dir;
  {
    auto store = new_store(dir.path());
    store.append(event(1, store::EventKind::Launch, 1, 1, {{"level", 0}}));
    store.append(event(2, store::EventKind::Report, 1, 1, {{"value", 0.5}}));
  }
  auto store = store::CampaignStore::open(dir.path());
  {
    campaign::EventJournal journal(store);
    CHECK_THROWS_AS(journal.write(event(1, store::EventKind::Launch, 1, 1, {{"level", 1}})), campaign::ReplayMismatch);
  }
  {
    campaign::EventJournal journal(store);
    CHECK_THROWS_AS(journal.write(event(1, store::EventKind::Launch, 2, 1, {{"level", 0}})), campaign::ReplayMismatch);
  }
  {
    // A launch is the loop's to make: as an input it means the scheduler differs.
    campaign::EventJournal journal(store);
    CHECK_THROWS_AS(journal.next_input(), campaign::ReplayMismatch);
  }
  {
    // Every input re-applied: ending the replay writes nothing by itself, the clock goes on
    // from the last recorded time (steady clock: no restore function).
    campaign::EventJournal journal(store);
    CHECK(journal.write(event(1, store::EventKind::Launch, 1, 1, {{"level", 0}})));
    REQUIRE(journal.next_input() != nullptr);
    CHECK(journal.next_input() == nullptr);
    CHECK(journal.replaying());
    journal.end_replay();
    CHECK_FALSE(journal.replaying());
    CHECK(journal.now() >= 2);
    CHECK(store.events().size() == 2);
  }
}
