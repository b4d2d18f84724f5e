// One synchronous successive-halving bracket: stage mechanics, states, promotion, observe.
#include <doctest/doctest.h>

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <vector>

#include "fake_optimizer.hpp"
#include "scheduler/bracket.hpp"

using namespace rungs::scheduler;
using rungs::test::x_of;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A bracket of 9, 3, 1 configurations on levels 0, 1, 2 (R = 9, eta = 3), with its world.
struct World {
  std::shared_ptr<rungs::test::OptimizerLog> log = std::make_shared<rungs::test::OptimizerLog>();
  rungs::test::FakeOptimizer optimizer{log};
  rungs::fidelity::BudgetLadder ladder = rungs::test::ladder(1, 9, 3);
  TrialTable trials;
  BracketContext ctx{optimizer, ladder, trials};

  std::vector<Job> take_all(Bracket& b) {
    std::vector<Job> jobs;
    while (auto job = b.next(ctx)) jobs.push_back(*job);
    return jobs;
  }
};

BracketPlan nine_three_one() { return successive_halving_plan(9, 0, 3, 3); }

}  // namespace

TEST_CASE("bracket: a stage hands out n_i runs, waits for all of them, then promotes the best") {
  World w;
  Bracket b(0, nine_three_one());

  auto stage0 = w.take_all(b);
  REQUIRE(stage0.size() == 9);
  CHECK(w.log->suggested_levels == std::vector<std::size_t>(9, 0));
  for (std::size_t i = 0; i < stage0.size(); ++i) {
    CHECK(stage0[i].trial == i + 1);  // ids 1, 2, 3, ... in hand-out order
    CHECK(stage0[i].budget.level == 0);
    CHECK_FALSE(stage0[i].resume_from.has_value());
    CHECK(w.trials.at(stage0[i].trial).state == TrialState::Running);
  }
  CHECK(b.running() == 9);

  // Value = 10 - x: the last three configurations are the best.
  for (std::size_t i = 0; i + 1 < stage0.size(); ++i) {
    b.on_run_end(stage0[i].trial, RunEnd{10 - x_of(stage0[i].config), false}, w.ctx);
    CHECK(w.trials.at(stage0[i].trial).state == TrialState::Waiting);
    CHECK_FALSE(b.next(w.ctx).has_value());  // synchronous: the stage waits for its last run
  }
  b.on_run_end(stage0.back().trial, RunEnd{10 - x_of(stage0.back().config), false}, w.ctx);
  CHECK(w.log->observed.size() == 9);
  CHECK(b.stage() == 1);

  // Trials 7, 8, 9 are promoted (still Waiting until handed out), the others Stopped.
  for (TrialId id = 1; id <= 6; ++id) CHECK(w.trials.at(id).state == TrialState::Stopped);
  for (TrialId id = 7; id <= 9; ++id) CHECK(w.trials.at(id).state == TrialState::Waiting);

  auto stage1 = w.take_all(b);
  REQUIRE(stage1.size() == 3);
  // Best first, each resuming from the budget of the rung it finished.
  CHECK(stage1[0].trial == 9);
  CHECK(stage1[1].trial == 8);
  CHECK(stage1[2].trial == 7);
  for (const Job& job : stage1) {
    CHECK(job.budget.level == 1);
    REQUIRE(job.resume_from.has_value());
    CHECK(job.resume_from->level == 0);
    CHECK(job.resume_from->units == doctest::Approx(1));
    CHECK(job.budget.units == doctest::Approx(3));
    CHECK(w.trials.at(job.trial).state == TrialState::Running);
    CHECK(w.trials.at(job.trial).level == 1);
  }
  CHECK(w.log->suggested_levels.size() == 9);  // promotions do not ask the optimizer

  // Now trial 7 is the best at level 1.
  b.on_run_end(9, RunEnd{0.5, false}, w.ctx);
  b.on_run_end(7, RunEnd{0.1, false}, w.ctx);
  b.on_run_end(8, RunEnd{0.3, false}, w.ctx);
  auto stage2 = w.take_all(b);
  REQUIRE(stage2.size() == 1);
  CHECK(stage2[0].trial == 7);
  CHECK(stage2[0].resume_from->level == 1);
  CHECK(stage2[0].budget.level == 2);
  CHECK_FALSE(b.finished());
  b.on_run_end(7, RunEnd{0.05, false}, w.ctx);
  CHECK(b.finished());
  CHECK_FALSE(b.next(w.ctx).has_value());

  CHECK(w.trials.at(7).state == TrialState::Completed);
  CHECK(w.trials.at(7).values == std::vector<double>{4, 0.1, 0.05});
  CHECK(w.trials.at(7).value_at(1) == doctest::Approx(0.1));
  CHECK(w.trials.at(8).state == TrialState::Stopped);
  CHECK(w.trials.at(9).state == TrialState::Stopped);
  CHECK(w.trials.count(TrialState::Stopped) == 8);
  CHECK(b.status().runs_handed_out == std::vector<std::size_t>{9, 3, 1});

  // observe was called once per run, with the run's level and value.
  REQUIRE(w.log->observed.size() == 13);
  CHECK(w.log->observed.back().x == doctest::Approx(6));
  CHECK(w.log->observed.back().level == 2);
  CHECK(w.log->observed.back().value == doctest::Approx(0.05));
}

TEST_CASE("bracket: failed, NaN and infinite runs are not promoted, and the optimizer sees +inf") {
  World w;
  Bracket b(0, nine_three_one());
  auto stage0 = w.take_all(b);
  // Trial 1 is the only finite, non-failed result: 2 fail, 3 is NaN, 4 is -inf, 5 +inf, ...
  b.on_run_end(1, RunEnd{0.7, false}, w.ctx);
  b.on_run_end(2, RunEnd{0.0, true}, w.ctx);
  b.on_run_end(3, RunEnd{kNaN, false}, w.ctx);
  b.on_run_end(4, RunEnd{-kInf, false}, w.ctx);
  for (TrialId id = 5; id <= 9; ++id) b.on_run_end(id, RunEnd{kInf, id % 2 == 0}, w.ctx);

  CHECK(w.trials.at(2).state == TrialState::Failed);
  CHECK(w.trials.at(3).state == TrialState::Stopped);
  CHECK(w.trials.at(4).state == TrialState::Stopped);
  CHECK(w.trials.count(TrialState::Failed) == 3);  // 2, 6, 8
  CHECK(w.trials.at(1).state == TrialState::Waiting);

  // Fewer promotable than 3: stage 1 runs just trial 1.
  auto stage1 = w.take_all(b);
  REQUIRE(stage1.size() == 1);
  CHECK(stage1[0].trial == 1);
  CHECK(b.status().runs_handed_out == std::vector<std::size_t>{9, 1, 0});

  REQUIRE(w.log->observed.size() == 9);
  CHECK(w.log->observed[0].value == doctest::Approx(0.7));
  for (std::size_t i = 1; i < 9; ++i) CHECK(w.log->observed[i].value == kInf);
  CHECK(observed_value(RunEnd{-kInf, false}) == kInf);
  CHECK(observed_value(RunEnd{0.25, true}) == kInf);
  CHECK(observed_value(RunEnd{-3, false}) == -3);
}

TEST_CASE("bracket: a stage with nobody promotable ends the bracket") {
  World w;
  Bracket b(0, nine_three_one());
  for (const Job& job : w.take_all(b)) b.on_run_end(job.trial, RunEnd{kNaN, job.trial % 2 == 0}, w.ctx);
  CHECK(b.finished());
  CHECK_FALSE(b.next(w.ctx).has_value());
  CHECK(w.trials.count(TrialState::Failed) == 4);
  CHECK(w.trials.count(TrialState::Stopped) == 5);
  CHECK(w.trials.count(TrialState::Completed) == 0);
}

TEST_CASE("bracket: failures at the last stage are Failed, the rest Completed") {
  World w;
  Bracket b(0, successive_halving_plan(3, 2, 1, 3));  // one stage: 3 runs at the top level
  auto jobs = w.take_all(b);
  REQUIRE(jobs.size() == 3);
  CHECK(jobs[0].budget.level == 2);
  b.on_run_end(1, RunEnd{0.3, false}, w.ctx);
  b.on_run_end(2, RunEnd{0.2, true}, w.ctx);
  b.on_run_end(3, RunEnd{kNaN, false}, w.ctx);  // ran to the end, reported nothing
  CHECK(b.finished());
  CHECK(w.trials.at(1).state == TrialState::Completed);
  CHECK(w.trials.at(2).state == TrialState::Failed);
  CHECK(w.trials.at(3).state == TrialState::Completed);
}

TEST_CASE("bracket: the promotion rule decides who advances, and is checked") {
  World w;
  SUBCASE("a custom rule: promote the highest ids") {
    PromotionRule newest = [](std::span<const RungResult> rung, std::size_t k) {
      std::vector<TrialId> ids;
      for (const auto& r : rung) ids.push_back(r.trial);
      std::sort(ids.rbegin(), ids.rend());
      ids.resize(std::min(k, ids.size()));
      return ids;
    };
    Bracket b(0, nine_three_one(), newest);
    for (const Job& job : w.take_all(b)) b.on_run_end(job.trial, RunEnd{x_of(job.config), false}, w.ctx);
    auto stage1 = w.take_all(b);
    REQUIRE(stage1.size() == 3);
    CHECK(stage1[0].trial == 9);
    CHECK(stage1[2].trial == 7);
  }
  SUBCASE("a rule that promotes too many, a failed trial or a stranger throws logic_error") {
    const std::vector<PromotionRule> bad{
        [](std::span<const RungResult>, std::size_t) { return std::vector<TrialId>{1, 3, 4, 5}; },
        [](std::span<const RungResult>, std::size_t) { return std::vector<TrialId>{2}; },
        [](std::span<const RungResult>, std::size_t) { return std::vector<TrialId>{42}; },
        [](std::span<const RungResult>, std::size_t) { return std::vector<TrialId>{1, 1}; },
    };
    for (const auto& rule : bad) {
      TrialTable trials;
      BracketContext ctx{w.optimizer, w.ladder, trials};
      Bracket b(0, nine_three_one(), rule);
      std::vector<Job> jobs;
      while (auto job = b.next(ctx)) jobs.push_back(*job);
      for (std::size_t i = 0; i + 1 < jobs.size(); ++i)
        b.on_run_end(jobs[i].trial, RunEnd{0.5, jobs[i].trial == 2}, ctx);
      CHECK_THROWS_AS(b.on_run_end(jobs.back().trial, RunEnd{0.5, false}, ctx), std::logic_error);
    }
  }
}

TEST_CASE("bracket: on_run_end contract violations throw logic_error") {
  World w;
  Bracket b(0, nine_three_one());
  auto jobs = w.take_all(b);
  b.on_run_end(1, RunEnd{0.5, false}, w.ctx);
  CHECK_THROWS_WITH_AS(b.on_run_end(1, RunEnd{0.5, false}, w.ctx), doctest::Contains("trial 1"), std::logic_error);
  CHECK_THROWS_AS(b.on_run_end(99, RunEnd{0.5, false}, w.ctx), std::out_of_range);
  Bracket other(1, nine_three_one());
  CHECK_THROWS_WITH_AS(other.on_run_end(2, RunEnd{0.5, false}, w.ctx), doctest::Contains("bracket 0"),
                       std::logic_error);
  CHECK(w.trials.at(2).state == TrialState::Running);
}
