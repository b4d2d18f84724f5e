// Hyperband and SuccessiveHalving driven end to end by a fake campaign loop.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "fake_optimizer.hpp"
#include "scheduler/hyperband.hpp"

using namespace rungs::scheduler;
using rungs::test::drive;
using rungs::test::fake_optimizer;
using rungs::test::OptimizerLog;
using rungs::test::x_of;

namespace {

// A deterministic objective: a scrambled quality g(x) in [0, 1) plus a budget term that
// shrinks with the budget, so rankings within a rung follow g. Every x = 3 (mod 10) crashes.
double quality(double x) { return static_cast<double>((static_cast<std::int64_t>(x) * 37 + 11) % 101) / 101.0; }
bool crashes(double x) { return static_cast<std::int64_t>(x) % 10 == 3; }

RunEnd answer(const Job& job) {
  const double x = x_of(job.config);
  if (crashes(x)) return RunEnd{std::numeric_limits<double>::quiet_NaN(), true};
  return RunEnd{quality(x) + 1.0 / job.budget.units, false};
}

std::shared_ptr<OptimizerLog> new_log() { return std::make_shared<OptimizerLog>(); }

// Runs per (bracket, level) in the order the jobs were handed out.
std::map<std::pair<std::size_t, std::size_t>, std::size_t> runs_per_rung(const std::vector<Job>& jobs) {
  std::map<std::pair<std::size_t, std::size_t>, std::size_t> runs;
  for (const Job& job : jobs) ++runs[{job.bracket, job.budget.level}];
  return runs;
}

// The checks every full Hyperband R=81, eta=3 run must pass, overlapping brackets or not.
void check_full_run(const Hyperband& hb, const std::vector<Job>& jobs, const OptimizerLog& log) {
  // Total runs per bracket and rung match the pinned table.
  const std::vector<std::vector<std::size_t>> table{{81, 27, 9, 3, 1}, {34, 11, 3, 1}, {15, 5, 1}, {8, 2}, {5}};
  const auto runs = runs_per_rung(jobs);
  std::size_t expected_runs = 0;
  for (std::size_t b = 0; b < table.size(); ++b) {
    for (std::size_t i = 0; i < table[b].size(); ++i) {
      const std::size_t level = 4 - (table[b].size() - 1) + i;
      CAPTURE(b);
      CAPTURE(level);
      CHECK(runs.at({b, level}) == table[b][i]);
      expected_runs += table[b][i];
    }
  }
  CHECK(runs.size() == 15);
  CHECK(jobs.size() == expected_runs);
  CHECK(expected_runs == 206);
  CHECK(hb.runs_handed_out() == 206);
  // units: 1, 3, 9, 27, 81 per level; sum of configs * units over the table.
  CHECK(hb.units_handed_out() == doctest::Approx(405 + 363 + 351 + 378 + 405));

  // Promoted runs resume from the previous rung of the same trial, at a larger level.
  std::map<TrialId, std::size_t> last_level;
  for (const Job& job : jobs) {
    if (auto it = last_level.find(job.trial); it != last_level.end()) {
      REQUIRE(job.resume_from.has_value());
      CHECK(job.resume_from->level == it->second);
      CHECK(job.budget.level == it->second + 1);
      CHECK(job.budget.units > job.resume_from->units);
    } else {
      CHECK_FALSE(job.resume_from.has_value());
    }
    last_level[job.trial] = job.budget.level;
  }

  // Trial ids 1..N, unique across brackets; 143 = 81 + 34 + 15 + 8 + 5 trials.
  const auto& trials = hb.trials();
  REQUIRE(trials.size() == 143);
  for (std::size_t i = 0; i < trials.size(); ++i) CHECK(trials[i].id == i + 1);

  // End states: 14 crashes (x = 3, 13, ..., 133), one completion per top-rung run (1+1+1+2+5).
  CHECK(hb.count(TrialState::Failed) == 14);
  CHECK(hb.count(TrialState::Completed) == 10);
  CHECK(hb.count(TrialState::Stopped) == 119);
  CHECK(hb.count(TrialState::Running) == 0);
  CHECK(hb.count(TrialState::Waiting) == 0);
  for (const TrialInfo& t : trials) {
    CHECK(hb.state(t.id) == t.state);
    if (t.state == TrialState::Completed) CHECK(t.level == 4);
    if (t.state == TrialState::Failed) CHECK(crashes(x_of(t.config)));
  }

  // The best trial of the most aggressive bracket (at its first rung) went through every rung.
  const TrialInfo* best = nullptr;
  for (const TrialInfo& t : trials)
    if (t.bracket == 0 && t.state != TrialState::Failed && (!best || quality(x_of(t.config)) < quality(x_of(best->config))))
      best = &t;
  REQUIRE(best != nullptr);
  CHECK(best->state == TrialState::Completed);
  CHECK(best->first_level == 0);
  CHECK(best->values.size() == 5);

  // In every bracket and rung, everyone promoted beat everyone stopped there.
  for (std::size_t b = 0; b < 5; ++b) {
    for (std::size_t level = 0; level < 4; ++level) {
      double worst_promoted = -1, best_stopped = 2;
      for (const TrialInfo& t : trials) {
        if (t.bracket != b || t.state == TrialState::Failed || std::isnan(t.value_at(level))) continue;
        const double v = t.value_at(level);
        if (!std::isnan(t.value_at(level + 1))) worst_promoted = std::max(worst_promoted, v);
        else best_stopped = std::min(best_stopped, v);
      }
      CAPTURE(b);
      CAPTURE(level);
      CHECK(worst_promoted <= best_stopped);
    }
  }

  // The optimizer observed every run, failures as +inf.
  REQUIRE(log.observed.size() == 206);
  CHECK(log.suggested_levels.size() == 143);
  for (const auto& o : log.observed) {
    if (crashes(o.x)) CHECK(o.value == std::numeric_limits<double>::infinity());
    else CHECK(std::isfinite(o.value));
  }
}

}  // namespace

TEST_CASE("hyperband: a full run, R=81 eta=3, brackets overlapping") {
  auto log = new_log();
  Hyperband hb(fake_optimizer(log), rungs::test::ladder(1, 81, 3));
  CHECK(hb.bracket_count() == 5);
  CHECK_FALSE(hb.finished());
  const auto jobs = drive(hb, answer);
  check_full_run(hb, jobs, *log);
  const auto brackets = hb.brackets();
  REQUIRE(brackets.size() == 5);
  for (std::size_t b = 0; b < 5; ++b) {
    CHECK(brackets[b].index == b);
    CHECK(brackets[b].plan.s == 4 - b);
    CHECK(brackets[b].finished);
    CHECK(brackets[b].runs_handed_out == brackets[b].plan.configs());
  }
}

TEST_CASE("hyperband: a full run, R=81 eta=3, one bracket after the other") {
  auto log = new_log();
  Hyperband hb(fake_optimizer(log), rungs::test::ladder(1, 81, 3), HyperbandOptions{.overlap_brackets = false});
  const auto jobs = drive(hb, answer);
  check_full_run(hb, jobs, *log);
  // Strictly in order: no job of bracket b+1 before the last job of bracket b.
  for (std::size_t i = 1; i < jobs.size(); ++i) CHECK(jobs[i].bracket >= jobs[i - 1].bracket);
}

TEST_CASE("hyperband: next() returns nullopt while a stage waits, unless it may open the next bracket") {
  SUBCASE("no overlap: the 27 runs of the first stage, then nothing until they end") {
    Hyperband hb(fake_optimizer(new_log()), rungs::test::ladder(1, 27, 3), HyperbandOptions{.overlap_brackets = false});
    for (int i = 0; i < 27; ++i) {
      auto job = hb.next();
      REQUIRE(job.has_value());
      CHECK(job->bracket == 0);
    }
    CHECK_FALSE(hb.next().has_value());
    for (TrialId id = 1; id <= 26; ++id) hb.on_run_end(id, RunEnd{static_cast<double>(id), false});
    CHECK_FALSE(hb.next().has_value());  // one run of the stage is still out
    hb.on_run_end(27, RunEnd{27, false});
    auto job = hb.next();
    REQUIRE(job.has_value());
    CHECK(job->bracket == 0);
    CHECK(job->budget.level == 1);
    CHECK(job->trial == 1);  // the best of the rung goes first
  }
  SUBCASE("overlap: bracket 1 starts while bracket 0 waits, then 2 and 3 (27 + 12 + 6 + 4 runs)") {
    Hyperband hb(fake_optimizer(new_log()), rungs::test::ladder(1, 27, 3));
    std::vector<Job> jobs;
    while (auto job = hb.next()) jobs.push_back(*job);
    REQUIRE(jobs.size() == 49);
    const auto runs = runs_per_rung(jobs);
    CHECK(runs.at({0, 0}) == 27);
    CHECK(runs.at({1, 1}) == 12);
    CHECK(runs.at({2, 2}) == 6);
    CHECK(runs.at({3, 3}) == 4);
    CHECK(jobs[27].bracket == 1);
    CHECK(jobs[27].trial == 28);
    CHECK(hb.state(28) == TrialState::Running);
    CHECK(hb.brackets().size() == 4);
  }
  SUBCASE("overlap: the earliest bracket with a run ready goes first") {
    Hyperband hb(fake_optimizer(new_log()), rungs::test::ladder(1, 27, 3));
    for (int i = 0; i < 28; ++i) REQUIRE(hb.next().has_value());  // bracket 0's 27, bracket 1's first
    CHECK(hb.brackets().size() == 2);
    // Bracket 0's stage ends: its 9 promotions (best first) come before bracket 1's 11 new runs.
    for (TrialId id = 1; id <= 27; ++id) hb.on_run_end(id, RunEnd{-static_cast<double>(id), false});
    for (int i = 0; i < 9; ++i) {
      auto job = hb.next();
      REQUIRE(job.has_value());
      CHECK(job->bracket == 0);
      CHECK(job->trial == 27 - static_cast<TrialId>(i));
    }
    for (int i = 0; i < 11; ++i) {
      auto job = hb.next();
      REQUIRE(job.has_value());
      CHECK(job->bracket == 1);
    }
    std::size_t later = 0;
    while (auto job = hb.next()) {
      CHECK(job->bracket >= 2);
      ++later;
    }
    CHECK(later == 6 + 4);  // then every bracket of the (single) iteration is open and waiting
    CHECK_FALSE(hb.finished());
  }
}

TEST_CASE("hyperband: two iterations run every bracket twice with fresh trials") {
  auto log = new_log();
  Hyperband hb(fake_optimizer(log), rungs::test::ladder(1, 9, 3), HyperbandOptions{.iterations = 2});
  CHECK(hb.bracket_count() == 6);
  const auto jobs = drive(hb, answer);
  // R=9, eta=3: s=2: 9 3 1, s=1: 5 1, s=0: 3 -> 22 runs and 17 trials per iteration.
  CHECK(jobs.size() == 44);
  CHECK(hb.trials().size() == 34);
  const auto runs = runs_per_rung(jobs);
  for (std::size_t b : {0u, 3u}) {
    CHECK(runs.at({b, 0}) == 9);
    CHECK(runs.at({b + 1, 1}) == 5);
    CHECK(runs.at({b + 2, 2}) == 3);
  }
  const std::set<double> xs = [&] {
    std::set<double> s;
    for (const auto& t : hb.trials()) s.insert(x_of(t.config));
    return s;
  }();
  CHECK(xs.size() == 34);
}

TEST_CASE("successive halving: the most aggressive bracket by default, or a chosen one") {
  SUBCASE("default s = s_max") {
    auto log = new_log();
    SuccessiveHalving sh(fake_optimizer(log), rungs::test::ladder(1, 81, 3));
    CHECK(sh.plan().configs() == std::vector<std::size_t>{81, 27, 9, 3, 1});
    CHECK(sh.plan().first_level() == 0);
    std::vector<Job> first;
    while (auto job = sh.next()) first.push_back(*job);
    CHECK(first.size() == 81);  // and then it waits: there is no other bracket to open
    for (const Job& job : first) sh.on_run_end(job.trial, answer(job));
    const auto rest = drive(sh, answer);
    CHECK(first.size() + rest.size() == 121);
    CHECK(sh.count(TrialState::Completed) == 1);
    CHECK(sh.count(TrialState::Failed) == 8);  // x = 3, 13, ..., 73
    CHECK(sh.count(TrialState::Stopped) == 72);
  }
  SUBCASE("s = 2: 15, 5, 1 configurations at levels 2, 3, 4") {
    SuccessiveHalving sh(fake_optimizer(new_log()), rungs::test::ladder(1, 81, 3), SuccessiveHalvingOptions{.bracket = 2});
    const auto jobs = drive(sh, answer);
    const auto runs = runs_per_rung(jobs);
    CHECK(runs.at({0, 2}) == 15);
    CHECK(runs.at({0, 3}) == 5);
    CHECK(runs.at({0, 4}) == 1);
    CHECK(jobs.size() == 21);
  }
  SUBCASE("s = 2 with 30 initial configurations, repeated twice") {
    SuccessiveHalving sh(fake_optimizer(new_log()), rungs::test::ladder(1, 81, 3),
                         SuccessiveHalvingOptions{.bracket = 2, .initial_configs = 30, .iterations = 2});
    CHECK(sh.plan().configs() == std::vector<std::size_t>{30, 10, 3});
    const auto jobs = drive(sh, answer);
    CHECK(jobs.size() == 86);
    CHECK(runs_per_rung(jobs).at({1, 4}) == 3);
  }
}

TEST_CASE("schedulers: bad configuration throws at construction with the bad value") {
  CHECK_THROWS_WITH_AS(SuccessiveHalving(fake_optimizer(new_log()), rungs::test::ladder(1, 81, 3),
                                         SuccessiveHalvingOptions{.bracket = 5}),
                       doctest::Contains("s = 5"), std::invalid_argument);
  CHECK_THROWS_AS(SuccessiveHalving(fake_optimizer(new_log()), rungs::test::ladder(1, 81, 3),
                                    SuccessiveHalvingOptions{.initial_configs = 0}),
                  std::invalid_argument);
  CHECK_THROWS_WITH_AS(SuccessiveHalving(fake_optimizer(new_log()), rungs::test::ladder(1, 81, 3),
                                         SuccessiveHalvingOptions{.initial_configs = 50}),
                       doctest::Contains("50"), std::invalid_argument);  // 50 < 3^4: no run at the top
  CHECK_THROWS_WITH_AS(Hyperband(fake_optimizer(new_log()), rungs::test::ladder(1, 81, 3), HyperbandOptions{.iterations = 0}),
                       doctest::Contains("iterations"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(Hyperband(nullptr, rungs::test::ladder(1, 81, 3)), doctest::Contains("optimizer"),
                       std::invalid_argument);
}

TEST_CASE("schedulers: contract violations throw") {
  Hyperband hb(fake_optimizer(new_log()), rungs::test::ladder(1, 9, 3), HyperbandOptions{.overlap_brackets = false});
  auto job = hb.next();
  REQUIRE(job.has_value());
  REQUIRE(job->trial == 1);

  CHECK(hb.on_report(1, Report{1, 0.5}) == Decision::Continue);
  CHECK_THROWS_AS(hb.on_report(0, Report{1, 0.5}), std::out_of_range);
  CHECK_THROWS_WITH_AS(hb.on_report(2, Report{1, 0.5}), doctest::Contains("unknown trial id 2"), std::logic_error);
  CHECK_THROWS_AS(hb.on_run_end(99, RunEnd{0.5, false}), std::out_of_range);
  CHECK_THROWS_AS(hb.state(99), std::out_of_range);

  hb.on_run_end(1, RunEnd{0.5, false});
  CHECK(hb.state(1) == TrialState::Waiting);
  CHECK_THROWS_WITH_AS(hb.on_run_end(1, RunEnd{0.5, false}), doctest::Contains("trial 1"), std::logic_error);
  CHECK_THROWS_WITH_AS(hb.on_report(1, Report{2, 0.4}), doctest::Contains("waiting"), std::logic_error);
  CHECK(hb.state(1) == TrialState::Waiting);  // the violation changed nothing
  CHECK(hb.runs_handed_out() == 1);
}

TEST_CASE("trial states have names") {
  CHECK(std::string(to_string(TrialState::Running)) == "running");
  CHECK(std::string(to_string(TrialState::Waiting)) == "waiting");
  CHECK(std::string(to_string(TrialState::Stopped)) == "stopped");
  CHECK(std::string(to_string(TrialState::Completed)) == "completed");
  CHECK(std::string(to_string(TrialState::Failed)) == "failed");
}
