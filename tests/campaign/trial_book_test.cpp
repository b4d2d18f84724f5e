// The trial book (rows of the trials table, unsettled trials checked per run end) and the
// budgets of pause: signal.
#include <doctest/doctest.h>

#include <map>
#include <optional>
#include <string>

#include "campaign/campaign_spec.hpp"
#include "campaign/signal_pause.hpp"
#include "campaign/trial_book.hpp"

using namespace rungs;
namespace fs = std::filesystem;

namespace {

// Trial states set by hand: what sync_states reads.
class StatesScheduler final : public scheduler::Scheduler {
 public:
  std::map<scheduler::TrialId, scheduler::TrialState> states;
  mutable std::size_t asked = 0;
  std::optional<scheduler::Job> next() override { return std::nullopt; }
  scheduler::Decision on_report(scheduler::TrialId, const scheduler::Report&) override {
    return scheduler::Decision::Continue;
  }
  void on_run_end(scheduler::TrialId, const scheduler::RunEnd&) override {}
  bool finished() const override { return true; }
  scheduler::TrialState state(scheduler::TrialId trial) const override {
    ++asked;
    return states.at(trial);
  }
};

constexpr const char* kOneParam = R"(name: parts
metric: loss
space:
  x: {type: float, low: 0, high: 1}
budget: {min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 9}}}
scheduler: {type: hyperband, eta: 3}
trial:
  command: [trainer]
)";

}  // namespace

TEST_CASE("trial book: after a run's end only unsettled trials are checked, a relaunched one is watched again") {
  using scheduler::TrialState;
  const auto spec = campaign::parse_campaign(kOneParam, "parts.yaml", fs::temp_directory_path());
  campaign::TrialBook book(spec.ladder);
  StatesScheduler scheduler;
  for (scheduler::TrialId id = 1; id <= 100; ++id) {
    scheduler::Job job;
    job.trial = id;
    job.config = {{"x", 0.5}};
    job.budget = spec.ladder.at(0);
    book.open(job);
    book.set_state(id, TrialState::Running);
    scheduler.states[id] = TrialState::Running;
  }
  for (scheduler::TrialId id = 1; id <= 98; ++id) {
    scheduler.states[id] = id % 2 ? TrialState::Stopped : TrialState::Completed;
    book.set_state(id, scheduler.states[id]);
  }
  scheduler.states[99] = TrialState::Waiting;
  scheduler.asked = 0;
  auto changed = book.changed_states(scheduler, /*all=*/false);
  CHECK(scheduler.asked == 2);  // trials 99 and 100: the 98 settled ones are not asked
  REQUIRE(changed.size() == 1);
  CHECK(changed[0] == std::pair{scheduler::TrialId{99}, TrialState::Waiting});
  book.set_state(99, TrialState::Waiting);

  // A settled trial whose state changes anyway is seen at the end (all), not per event.
  scheduler.states[1] = TrialState::Failed;
  CHECK(book.changed_states(scheduler, false).empty());
  changed = book.changed_states(scheduler, /*all=*/true);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].first == 1);

  // Launched again (a promotion of a stopped trial): watched again.
  scheduler::Job again;
  again.trial = 2;
  again.config = {{"x", 0.5}};
  again.budget = spec.ladder.at(1);
  again.resume_from = spec.ladder.at(0);
  book.open(again);
  book.set_state(2, TrialState::Running);
  scheduler.states[2] = TrialState::Completed;
  changed = book.changed_states(scheduler, false);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0] == std::pair{scheduler::TrialId{2}, TrialState::Completed});

  const auto row = book.row(2, 12.5);
  CHECK(row.trial == 2);
  CHECK(row.state == "running");
  CHECK(row.level == 1);
  CHECK(row.budget == nlohmann::json{{"epochs", 3}});
  CHECK(row.updated == 12.5);
}

TEST_CASE("trial book: a run that starts from scratch clears the trial's repeat filter, a resumed one keeps it") {
  const auto spec = campaign::parse_campaign(kOneParam, "parts.yaml", fs::temp_directory_path());
  campaign::TrialBook book(spec.ladder);
  scheduler::Job job;
  job.trial = 1;
  job.config = {{"x", 0.5}};
  job.budget = spec.ladder.at(0);
  book.open(job).repeats.remember(1, {{"loss", 1}});
  job.budget = spec.ladder.at(1);
  job.resume_from = spec.ladder.at(0);
  CHECK(book.open(job).repeats.is_repeat(1, {{"loss", 1}}));
  job.resume_from.reset();  // a new start at level 1
  CHECK_FALSE(book.open(job).repeats.is_repeat(1, {{"loss", 1}}));
}

TEST_CASE("pause: signal budgets: launched for the whole continued dimension, paused at the run's own step") {
  auto spec = campaign::parse_campaign(kOneParam, "parts.yaml", fs::temp_directory_path());
  scheduler::Job job;
  job.trial = 1;
  job.budget = spec.ladder.at(1);  // 3 epochs
  CHECK_FALSE(campaign::pause_step(spec, job));
  CHECK(campaign::launched_job(spec, job).budget.values == job.budget.values);

  spec.trial.keep_paused = true;
  CHECK(campaign::pause_step(spec, job) == 3.0);
  CHECK(campaign::launched_job(spec, job).budget.values.at("epochs") == 9.0);
  job.budget = spec.ladder.at(2);  // the top: runs to its end
  CHECK_FALSE(campaign::pause_step(spec, job));
  CHECK(campaign::continues_paused(spec.ladder, spec.ladder.at(0), spec.ladder.at(1)));

  // More data at the next level: a kept process cannot go on, the run relaunches.
  std::string text = kOneParam;
  text.replace(text.find("budget:"), text.find("scheduler:") - text.find("budget:"),
               "budget: {min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 9}, "
               "data_fraction: {values: [0.25, 0.5, 1.0]}}}\n");
  const auto fractions = campaign::parse_campaign(text, "parts.yaml", fs::temp_directory_path());
  CHECK_FALSE(campaign::continues_paused(fractions.ladder, fractions.ladder.at(0), fractions.ladder.at(1)));
}
