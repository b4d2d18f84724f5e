// ASHA (promotion and stopping modes) and asynchronous Hyperband: hand-made rungs, the
// straggler scenario, limits, bracket shares and errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <vector>

#include "fake_loop.hpp"
#include "fake_optimizer.hpp"
#include "scheduler/asha.hpp"
#include "scheduler/hyperband.hpp"
#include "scheduler/milestones.hpp"

using namespace rungs::scheduler;
using rungs::test::fake_optimizer;
using rungs::test::OptimizerLog;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

std::shared_ptr<OptimizerLog> new_log() { return std::make_shared<OptimizerLog>(); }

Asha promotion_asha(std::shared_ptr<OptimizerLog> log, double max, double eta, std::size_t max_trials) {
  return Asha(fake_optimizer(std::move(log)), rungs::test::ladder(1, max, eta),
              AshaOptions{.mode = AshaMode::Promotion, .max_trials = max_trials});
}

// Takes the next job and checks it is a new trial (or the promotion) we expect.
Job take_new(Scheduler& s, TrialId expected, std::size_t level) {
  std::optional<Job> job = s.next();
  REQUIRE(job.has_value());
  CHECK(job->trial == expected);
  CHECK(job->budget.level == level);
  CHECK_FALSE(job->resume_from.has_value());
  return *job;
}
Job take_promotion(Scheduler& s, TrialId expected, std::size_t from_level) {
  std::optional<Job> job = s.next();
  REQUIRE(job.has_value());
  CHECK(job->trial == expected);
  REQUIRE(job->resume_from.has_value());
  CHECK(job->resume_from->level == from_level);
  CHECK(job->budget.level == from_level + 1);
  CHECK(s.state(expected) == TrialState::Running);
  return *job;
}

}  // namespace

TEST_CASE("asha promotion: the top floor(n/eta) of a rung are promoted one at a time, new trials otherwise") {
  auto log = new_log();
  Asha asha = promotion_asha(log, 9, 3, 9);  // levels 0, 1, 2 (units 1, 3, 9)
  for (TrialId t = 1; t <= 3; ++t) take_new(asha, t, 0);

  asha.on_run_end(1, RunEnd{0.5, false});
  CHECK(asha.state(1) == TrialState::Waiting);  // paused at rung 0
  take_new(asha, 4, 0);                        // 1 result: floor(1/3) = 0, nothing promotable
  asha.on_run_end(2, RunEnd{0.2, false});
  CHECK_FALSE(asha.bracket(0).promotion_level().has_value());  // 2 results < eta
  take_new(asha, 5, 0);
  asha.on_run_end(3, RunEnd{0.9, false});  // 3 results: the top 1 (trial 2) is promotable
  CHECK(asha.bracket(0).promotion_level() == 0u);
  take_promotion(asha, 2, 0);
  take_new(asha, 6, 0);  // trial 2 already promoted: nothing else in the top 1

  asha.on_run_end(4, RunEnd{0.1, false});
  asha.on_run_end(5, RunEnd{0.3, false});
  asha.on_run_end(6, RunEnd{0.4, false});  // 6 results, top 2 = {4, 2}: 4 is new
  take_promotion(asha, 4, 0);
  asha.on_run_end(2, RunEnd{0.15, false});  // rung 1: one result, nothing promotable there
  CHECK(asha.state(2) == TrialState::Waiting);
  take_new(asha, 7, 0);

  asha.on_run_end(4, RunEnd{0.05, false});
  asha.on_run_end(7, RunEnd{0.6, false});  // rung 0: 7 results, top 2 both promoted; rung 1: 2 results
  take_new(asha, 8, 0);
  take_new(asha, 9, 0);
  CHECK_FALSE(asha.next().has_value());  // max_trials reached, nothing promotable
  CHECK_FALSE(asha.finished());          // runs are out

  asha.on_run_end(8, RunEnd{0.01, false});
  asha.on_run_end(9, RunEnd{0.02, false});  // rung 0: 9 results, top 3 = {8, 9, 4}
  take_promotion(asha, 8, 0);
  take_promotion(asha, 9, 0);
  asha.on_run_end(8, RunEnd{0.5, false});
  asha.on_run_end(9, RunEnd{0.6, false});  // rung 1: {2: .15, 4: .05, 8: .5, 9: .6}: top 1 = 4
  take_promotion(asha, 4, 1);
  CHECK_FALSE(asha.next().has_value());
  asha.on_run_end(4, RunEnd{0.04, false});
  CHECK(asha.state(4) == TrialState::Completed);

  CHECK(asha.finished());
  CHECK_FALSE(asha.next().has_value());
  for (TrialId t : {1, 2, 3, 5, 6, 7, 8, 9}) CHECK(asha.state(t) == TrialState::Stopped);  // paused -> Stopped
  CHECK(asha.count(TrialState::Completed) == 1);
  CHECK(asha.runs_handed_out() == 9 + 5);
  CHECK(asha.units_handed_out() == doctest::Approx(9 * 1 + 4 * 3 + 9));
  CHECK(asha.trial(4).values == std::vector<double>{0.1, 0.05, 0.04});
  CHECK(log->observed.size() == 14);  // every run end
  const auto status = asha.brackets().at(0);
  CHECK(status.rungs.at(0).size == 9);
  CHECK(status.rungs.at(0).promoted == 4);  // 2, 4, 8, 9
  CHECK(status.rungs.at(1).size == 4);
  CHECK(status.rungs.at(1).promoted == 1);
  CHECK(status.rungs.at(2).size == 1);
}

TEST_CASE("asha promotion: rungs are scanned top-down") {
  Asha asha = promotion_asha(new_log(), 4, 2, 4);  // eta 2: levels 0, 1, 2
  for (TrialId t = 1; t <= 4; ++t) take_new(asha, t, 0);
  asha.on_run_end(1, RunEnd{0.1, false});
  asha.on_run_end(2, RunEnd{0.2, false});  // rung 0: 2 results, top 1 = 1
  take_promotion(asha, 1, 0);
  asha.on_run_end(3, RunEnd{0.05, false});  // rung 0: 3 results, top 1 = 3
  take_promotion(asha, 3, 0);
  asha.on_run_end(1, RunEnd{0.5, false});
  asha.on_run_end(3, RunEnd{0.4, false});  // rung 1: 2 results, top 1 = 3
  asha.on_run_end(4, RunEnd{0.01, false});  // rung 0: 4 results, top 2 = {4, 3}: 4 is promotable
  CHECK(asha.bracket(0).promotion_level() == 1u);
  take_promotion(asha, 3, 1);  // the higher rung first
  take_promotion(asha, 4, 0);
}

TEST_CASE("asha promotion: fewer than eta trials in a rung promote nothing") {
  auto log = new_log();
  Asha asha = promotion_asha(log, 9, 3, 2);
  take_new(asha, 1, 0);
  take_new(asha, 2, 0);
  CHECK_FALSE(asha.next().has_value());
  asha.on_run_end(1, RunEnd{0.1, false});
  CHECK_FALSE(asha.finished());
  asha.on_run_end(2, RunEnd{0.2, false});
  CHECK_FALSE(asha.bracket(0).promotion_level().has_value());  // floor(2/3) = 0
  CHECK(asha.finished());
  CHECK(asha.state(1) == TrialState::Stopped);
  CHECK(asha.state(2) == TrialState::Stopped);
  CHECK(asha.runs_handed_out() == 2);
}

TEST_CASE("asha promotion: failed and non-finite results are never promoted, but count in |rung|") {
  Asha asha = promotion_asha(new_log(), 9, 3, 6);
  for (TrialId t = 1; t <= 6; ++t) take_new(asha, t, 0);
  asha.on_run_end(1, RunEnd{0.0, true});  // failed (whatever its value)
  asha.on_run_end(2, RunEnd{kNaN, false});
  asha.on_run_end(3, RunEnd{-kInf, false});
  CHECK(asha.state(1) == TrialState::Failed);
  CHECK_FALSE(asha.next().has_value());  // 3 results, top 1 would be a garbage one: none
  asha.on_run_end(4, RunEnd{kInf, false});
  asha.on_run_end(5, RunEnd{0.7, false});
  asha.on_run_end(6, RunEnd{0.3, false});  // 6 results: top 2 = {6, 5}
  take_promotion(asha, 6, 0);
  take_promotion(asha, 5, 0);
  CHECK_FALSE(asha.next().has_value());
}

TEST_CASE("asha keeps every worker busy around a straggler, synchronous SH idles") {
  constexpr std::size_t kWorkers = 4;
  // Trial 1 never ends until the very end; the loop always ends the oldest other run.
  auto straggle = [&](Scheduler& s) {
    std::vector<TrialId> out;
    std::size_t idle_calls = 0;  // next() answered nullopt while a worker was free
    std::size_t handed_out_while_straggling = 0;
    for (int round = 0; round < 1000; ++round) {
      while (out.size() < kWorkers) {
        auto job = s.next();
        if (!job) {
          ++idle_calls;
          break;
        }
        out.push_back(job->trial);
        ++handed_out_while_straggling;
      }
      const auto other = std::find_if(out.begin(), out.end(), [](TrialId t) { return t != 1; });
      if (other == out.end()) break;  // only the straggler is left
      const TrialId t = *other;
      out.erase(other);
      s.on_run_end(t, RunEnd{1.0 / static_cast<double>(t), false});
      if (idle_calls > 0) break;
    }
    return std::pair{idle_calls, handed_out_while_straggling};
  };

  SUBCASE("successive halving waits for the straggler's stage") {
    SuccessiveHalving sh(fake_optimizer(new_log()), rungs::test::ladder(1, 9, 3));  // 9, 3, 1
    const auto [idle, handed] = straggle(sh);
    CHECK(idle > 0);
    CHECK(handed == 9);  // stage 0 only: stage 1 waits for trial 1
    CHECK(sh.state(1) == TrialState::Running);
  }
  SUBCASE("asha hands out work until no new trial may start") {
    Asha asha = promotion_asha(new_log(), 9, 3, 30);
    std::size_t handed = 0;
    std::vector<TrialId> out;
    for (int round = 0; round < 1000; ++round) {
      while (out.size() < kWorkers) {
        auto job = asha.next();
        if (!job) break;
        out.push_back(job->trial);
        ++handed;
      }
      if (out.size() < kWorkers) {
        CHECK(asha.started() == 30);  // nullopt only once max_trials is reached
        break;
      }
      const auto other = std::find_if(out.begin(), out.end(), [](TrialId t) { return t != 1; });
      const TrialId t = *other;
      out.erase(other);
      asha.on_run_end(t, RunEnd{1.0 / static_cast<double>(t), false});
    }
    CHECK(handed > 30);  // every new trial and promotions, all while trial 1 straggles
    CHECK(asha.state(1) == TrialState::Running);
    CHECK_FALSE(asha.finished());
  }
}

TEST_CASE("asha stopping: trials run at the top budget and stop below a milestone's top 1/eta") {
  auto log = new_log();
  rungs::fidelity::BudgetLadder ladder = rungs::test::epochs_ladder(9, 3);  // epochs 1, 3, 9
  CHECK(rung_milestones(ladder) == std::vector<double>{1, 3, 9});
  Asha asha(fake_optimizer(log), ladder, AshaOptions{.mode = AshaMode::Stopping, .max_trials = 6});

  for (TrialId t = 1; t <= 3; ++t) {
    const Job job = take_new(asha, t, 2);  // the top level, no resume_from
    CHECK(job.budget.values.at("epochs") == 9);
  }
  CHECK(asha.on_report(1, Report{1, 0.5}) == Decision::Continue);  // rung 0: 1 value < eta
  CHECK(asha.on_report(2, Report{1, 0.3}) == Decision::Continue);  // 2 values < eta
  CHECK(asha.on_report(3, Report{1, 0.9}) == Decision::Stop);      // 3 values: only trial 2 is in the top 1
  CHECK(asha.on_report(3, Report{2, 0.8}) == Decision::Stop);      // reports racing the termination
  CHECK(asha.state(3) == TrialState::Running);                     // until its run ends
  asha.on_run_end(3, RunEnd{0.8, false});
  CHECK(asha.state(3) == TrialState::Stopped);

  CHECK(asha.on_report(1, Report{2, 0.45}) == Decision::Continue);  // no milestone at step 2
  CHECK(asha.on_report(1, Report{3, 0.4}) == Decision::Continue);   // rung 1: 1 value
  take_new(asha, 4, 2);
  take_new(asha, 5, 2);
  CHECK(asha.on_report(4, Report{1, 0.1}) == Decision::Continue);  // rung 0: 4 values, top 1 = trial 4
  // One report passing milestones 1 and 3 records rung 0 first, and stops there.
  CHECK(asha.on_report(5, Report{3, 0.2}) == Decision::Stop);
  CHECK(asha.bracket(0).rung(0).size() == 5);
  CHECK(asha.bracket(0).rung(1).size() == 1);
  asha.on_run_end(5, RunEnd{0.2, false});

  CHECK(asha.on_report(2, Report{3, 0.35}) == Decision::Continue);  // rung 1: 2 values
  CHECK(asha.on_report(4, Report{3, 0.5}) == Decision::Stop);       // rung 1: 3 values, top 1 = trial 2
  asha.on_run_end(4, RunEnd{0.5, false});
  CHECK(asha.on_report(1, Report{9, 0.3}) == Decision::Continue);  // the top milestone: no decision
  asha.on_run_end(1, RunEnd{0.3, false});
  asha.on_run_end(2, RunEnd{0.2, false});
  CHECK(asha.state(1) == TrialState::Completed);
  CHECK(asha.state(2) == TrialState::Completed);
  CHECK(asha.trial(2).values == std::vector<double>{0.3, 0.35, 0.2});
  CHECK(asha.trial(2).value_at(1) == 0.35);

  take_new(asha, 6, 2);
  CHECK_FALSE(asha.next().has_value());
  asha.on_run_end(6, RunEnd{kNaN, true});  // crashed before its first milestone
  CHECK(asha.state(6) == TrialState::Failed);
  CHECK(asha.finished());
  CHECK(asha.count(TrialState::Stopped) == 3);
  // Units: stopped at rung 0 (3, 5) or 1 (4), completed (1, 2), failed before any (6).
  CHECK(asha.units_used() == doctest::Approx(1 + 1 + 3 + 9 + 9 + 1));
  CHECK(asha.units_handed_out() == doctest::Approx(6 * 9));
  // The optimizer saw each milestone, each completion, and the failure as +inf at rung 0.
  CHECK(log->observed.back().value == kInf);
  CHECK(log->observed.back().level == 0);
  CHECK(log->observed.size() == 5 + 3 + 2 + 1);
}

TEST_CASE("asha stopping: NaN and inf reports rank last at a milestone") {
  Asha asha(fake_optimizer(new_log()), rungs::test::epochs_ladder(9, 3),
            AshaOptions{.mode = AshaMode::Stopping, .max_trials = 4});
  for (TrialId t = 1; t <= 4; ++t) take_new(asha, t, 2);
  CHECK(asha.on_report(1, Report{1, kNaN}) == Decision::Continue);  // too few to judge
  CHECK(asha.on_report(2, Report{1, 5.0}) == Decision::Continue);
  CHECK(asha.on_report(3, Report{1, -kInf}) == Decision::Stop);  // -inf is garbage, not a perfect loss
  CHECK(asha.on_report(4, Report{1, 7.0}) == Decision::Stop);  // 4 values, top 1 = trial 2 (5.0)
  CHECK(asha.on_report(1, Report{3, kInf}) == Decision::Continue);  // rung 1: alone
}

TEST_CASE("asha: a budget-units limit stops new trials once reached, promotions go on") {
  Asha asha(fake_optimizer(new_log()), rungs::test::ladder(1, 9, 3),
            AshaOptions{.mode = AshaMode::Promotion, .max_units = 10});
  std::vector<Job> out;
  std::size_t starts = 0;
  for (int round = 0; round < 1000 && !asha.finished(); ++round) {
    const double used_before = asha.units_used();
    if (auto job = asha.next()) {
      if (!job->resume_from) {
        CHECK(used_before < 10);
        ++starts;
      }
      out.push_back(*job);
      if (out.size() < 3) continue;  // three workers
    }
    if (out.empty()) break;
    const Job done = out.front();
    out.erase(out.begin());
    asha.on_run_end(done.trial, RunEnd{1.0 / static_cast<double>(done.trial), false});
  }
  CHECK(asha.finished());
  CHECK(asha.units_used() >= 10);
  CHECK(starts >= 3);
  CHECK(starts < 10);  // the budget, not a trial count, ended the starts
  for (const TrialInfo& t : asha.trials()) CHECK(t.state != TrialState::Waiting);
}

TEST_CASE("async hyperband: one ASHA bracket per s, new trials in proportion to Hyperband's n_s") {
  auto log = new_log();
  AsyncHyperband ahb(fake_optimizer(log), rungs::test::ladder(1, 81, 3), AsyncHyperbandOptions{.max_trials = 143});
  const auto jobs = rungs::test::drive(ahb, [](const Job& job) {
    return RunEnd{rungs::test::x_of(job.config) * 0.37 - std::floor(rungs::test::x_of(job.config) * 0.37), false};
  });
  std::map<std::size_t, std::size_t> starts;  // bracket -> new trials
  for (const Job& job : jobs) {
    if (job.resume_from) continue;
    ++starts[job.bracket];
    CHECK(job.budget.level == job.bracket);  // bracket b = s_max - s starts at level b
  }
  CHECK(starts == std::map<std::size_t, std::size_t>{{0, 81}, {1, 34}, {2, 15}, {3, 8}, {4, 5}});
  CHECK(ahb.brackets().size() == 5);
  for (const TrialInfo& t : ahb.trials())
    CHECK((t.state == TrialState::Stopped || t.state == TrialState::Completed));
  CHECK(ahb.count(TrialState::Completed) >= 5);  // bracket s = 0 completes all of its trials

  // The first assignments: a weighted round robin, not 81 in a row to bracket 0.
  AsyncHyperband fresh(fake_optimizer(new_log()), rungs::test::ladder(1, 81, 3), AsyncHyperbandOptions{.max_trials = 8});
  std::vector<std::size_t> order;
  while (auto job = fresh.next()) order.push_back(job->bracket);
  CHECK(order == std::vector<std::size_t>{0, 1, 2, 3, 4, 0, 0, 1});
}

TEST_CASE("asha and async hyperband: configuration errors throw at construction") {
  const auto lad = rungs::test::ladder(1, 27, 3);
  CHECK_THROWS_AS(Asha(fake_optimizer(new_log()), lad, AshaOptions{}), std::invalid_argument);  // no limit
  CHECK_THROWS_AS(Asha(fake_optimizer(new_log()), lad, AshaOptions{.max_trials = 0}), std::invalid_argument);
  CHECK_THROWS_AS(Asha(fake_optimizer(new_log()), lad, AshaOptions{.max_units = 0}), std::invalid_argument);
  CHECK_THROWS_AS(Asha(fake_optimizer(new_log()), lad, AshaOptions{.max_units = kInf}), std::invalid_argument);
  CHECK_THROWS_AS(Asha(fake_optimizer(new_log()), lad, AshaOptions{.bracket = 4, .max_trials = 5}),
                  std::invalid_argument);
  CHECK_THROWS_AS(Asha(nullptr, lad, AshaOptions{.max_trials = 5}), std::invalid_argument);
  CHECK_THROWS_AS(AsyncHyperband(fake_optimizer(new_log()), lad, AsyncHyperbandOptions{}), std::invalid_argument);
  try {
    Asha(fake_optimizer(new_log()), lad, AshaOptions{.bracket = 7, .max_trials = 5});
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("s = 7") != std::string::npos);
  }

  // A smaller bracket s starts higher up the ladder.
  Asha late(fake_optimizer(new_log()), lad, AshaOptions{.bracket = 1, .max_trials = 5});
  CHECK(late.next()->budget.level == 2);
}

TEST_CASE("asha: contract violations throw") {
  Asha asha = promotion_asha(new_log(), 9, 3, 5);
  take_new(asha, 1, 0);
  CHECK_THROWS_AS(asha.on_run_end(2, RunEnd{0.1, false}), std::out_of_range);
  CHECK_THROWS_AS(asha.on_report(9, Report{1, 0.1}), std::out_of_range);
  CHECK_THROWS_AS(asha.state(2), std::out_of_range);
  asha.on_run_end(1, RunEnd{0.1, false});
  CHECK_THROWS_AS(asha.on_run_end(1, RunEnd{0.1, false}), std::logic_error);  // waiting: no run out
  CHECK_THROWS_AS(asha.on_report(1, Report{1, 0.1}), std::logic_error);
}
