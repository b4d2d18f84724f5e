// Population-based training (scheduler/pbt.hpp, pbt_explore.hpp): explore keeps values in
// bounds, perturbs by exactly one of the two factors, resamples categoricals, and keeps
// conditional parameters consistent; the scheduler ranks by quantiles, exploits top members
// with new trials that continue their checkpoints, waits for a generation only when
// synchronous, holds its limits, and decides the same for the same seed.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <set>
#include <vector>

#include "fake_loop.hpp"
#include "scheduler/pbt.hpp"

using namespace rungs;
using namespace rungs::scheduler;
using space::Scale;

namespace {

space::SearchSpace conditional_space() {
  return space::SearchSpace({space::categorical("optimizer", {"sgd", "adam"}),
                             space::real("lr", 1e-4, 1.0, Scale::log),
                             space::real("momentum", 0.0, 0.95).when("optimizer", {"sgd"}),
                             space::real("beta1", 0.5, 0.99).when("optimizer", {"adam"}),
                             space::integer("layers", 1, 8)});
}

// Linear epochs 1..max, one level per epoch.
fidelity::BudgetLadder linear_ladder(double max = 12) {
  fidelity::Dimension epochs{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, max}};
  return fidelity::BudgetLadder(1, max, 3, {epochs}, fidelity::CostModel::units(), 1.0);
}

space::SearchSpace x_space() { return space::SearchSpace({space::real("x", 0, 1000)}); }

Pbt make(PbtOptions options, std::uint64_t seed = 1, fidelity::BudgetLadder ladder = linear_ladder()) {
  return Pbt(test::fake_optimizer(std::make_shared<test::OptimizerLog>()), std::move(ladder), x_space(), options, seed);
}

}  // namespace

TEST_CASE("explore: numeric values move by one of the two factors, within bounds") {
  const space::SearchSpace s({space::real("lr", 1e-4, 1.0, Scale::log), space::real("wd", 0.0, 0.5),
                              space::integer("width", 2, 10)});
  std::mt19937_64 rng(5);
  const ExploreOptions no_resample{0.8, 1.2, 0.0};
  std::set<double> lr_seen;
  for (int i = 0; i < 200; ++i) {
    const space::Config donor{{"lr", 0.01}, {"wd", 0.45}, {"width", std::int64_t{2}}};
    const auto out = explore(s, donor, no_resample, rng);
    s.validate(out);
    const double lr = std::get<double>(out.at("lr"));
    CHECK((lr == doctest::Approx(0.008) || lr == doctest::Approx(0.012)));  // log parameters: perturbed in value
    lr_seen.insert(lr);
    const double wd = std::get<double>(out.at("wd"));
    CHECK((wd == doctest::Approx(0.36) || wd == 0.5));  // 0.45 x 1.2 = 0.54 clipped to the bound
    const auto width = std::get<std::int64_t>(out.at("width"));
    CHECK((width == 3 || width == 2));  // 2 x 1.2 rounds back to 2: one step up; 2 x 0.8 clipped at 2
  }
  CHECK(lr_seen.size() == 2);  // both factors happen
}

TEST_CASE("explore: resample_probability 1 draws every value from the space, 0 keeps categoricals") {
  const auto s = conditional_space();
  const space::Config donor{{"optimizer", std::string("sgd")}, {"lr", 0.01}, {"momentum", 0.9}, {"layers", std::int64_t{4}}};
  std::mt19937_64 rng(7);
  std::size_t switched = 0;
  for (int i = 0; i < 200; ++i) {
    const auto kept = explore(s, donor, {0.8, 1.2, 0.0}, rng);
    CHECK(std::get<std::string>(kept.at("optimizer")) == "sgd");
    const auto resampled = explore(s, donor, {0.8, 1.2, 1.0}, rng);
    s.validate(resampled);  // conditions consistent: exactly the active parameters, in range
    switched += std::get<std::string>(resampled.at("optimizer")) == "adam";
  }
  CHECK(switched > 50);
  CHECK(switched < 150);
}

TEST_CASE("explore: a parameter that becomes active is sampled, one that becomes inactive is removed") {
  const auto s = conditional_space();
  const space::Config donor{{"optimizer", std::string("sgd")}, {"lr", 0.01}, {"momentum", 0.9}, {"layers", std::int64_t{4}}};
  std::mt19937_64 rng(11);
  bool saw_adam = false;
  for (int i = 0; i < 100 && !saw_adam; ++i) {
    const auto out = explore(s, donor, {0.8, 1.2, 0.5}, rng);
    s.validate(out);
    if (std::get<std::string>(out.at("optimizer")) != "adam") {
      CHECK(out.count("momentum") == 1);
      continue;
    }
    saw_adam = true;
    CHECK(out.count("momentum") == 0);
    REQUIRE(out.count("beta1") == 1);
    const double beta1 = std::get<double>(out.at("beta1"));
    CHECK(beta1 >= 0.5);
    CHECK(beta1 <= 0.99);
  }
  CHECK(saw_adam);
}

TEST_CASE("explore: the same engine state gives the same configuration, bad options throw") {
  const auto s = conditional_space();
  const space::Config donor{{"optimizer", std::string("adam")}, {"lr", 0.01}, {"beta1", 0.9}, {"layers", std::int64_t{4}}};
  std::mt19937_64 a(3), b(3);
  for (int i = 0; i < 20; ++i) CHECK(explore(s, donor, {}, a) == explore(s, donor, {}, b));
  CHECK_THROWS_AS(check_explore_options({0.0, 1.2, 0.25}), std::invalid_argument);
  CHECK_THROWS_AS(check_explore_options({0.8, 1.2, 1.5}), std::invalid_argument);
}

TEST_CASE("pbt: synchronous, the bottom quantile exploits the top once the whole generation is in") {
  Pbt s = make({.population = 4, .interval = 2, .quantile = 0.25, .synchronous = true});
  std::vector<Job> first;
  for (int i = 0; i < 4; ++i) {
    auto job = s.next();
    REQUIRE(job);
    CHECK(job->budget.level == 1);  // two levels per interval: epochs 1..2
    CHECK_FALSE(job->resume_from);
    CHECK(job->keep_checkpoint);
    first.push_back(*job);
  }
  CHECK_FALSE(s.next());  // the population is out
  s.on_run_end(1, {1.0, false});
  s.on_run_end(2, {2.0, false});
  s.on_run_end(3, {3.0, false});
  CHECK_FALSE(s.next());  // waits for member 3
  s.on_run_end(4, {4.0, false});
  auto exploit = s.next();
  REQUIRE(exploit);
  REQUIRE(exploit->inherits);
  CHECK(exploit->trial == 5);
  CHECK(exploit->inherits->donor == 1);  // k = ceil(4 x 0.25) = 1: the best
  CHECK(exploit->inherits->replaced == 4);
  CHECK(exploit->inherits->member == 3);
  CHECK(exploit->resume_from->level == 1);
  CHECK(exploit->budget.level == 3);
  CHECK(s.state(4) == TrialState::Stopped);
  REQUIRE(s.exploits().size() == 1);
  CHECK(s.exploits()[0].before == first[3].config);
  CHECK(s.exploits()[0].after == exploit->config);
  CHECK(s.trials().at(4).config == exploit->config);
  for (TrialId t : {1u, 2u, 3u}) {
    auto job = s.next();
    REQUIRE(job);
    CHECK(job->trial == t);
    CHECK_FALSE(job->inherits);
    CHECK(job->resume_from->level == 1);
  }
  CHECK_FALSE(s.next());
}

TEST_CASE("pbt: asynchronous, a member decides at its interval without waiting for the others") {
  Pbt s = make({.population = 4, .interval = 2, .quantile = 0.25});
  for (int i = 0; i < 4; ++i) REQUIRE(s.next());
  s.on_run_end(1, {1.0, false});
  auto job = s.next();  // ranked alone: nobody to exploit
  REQUIRE(job);
  CHECK(job->trial == 1);
  CHECK_FALSE(job->inherits);
  s.on_run_end(2, {5.0, false});
  job = s.next();  // worst of two: exploits trial 1, which is still out (its kept checkpoint at level 1)
  REQUIRE(job);
  REQUIRE(job->inherits);
  CHECK(job->inherits->donor == 1);
  CHECK(job->resume_from->level == 1);
  CHECK(s.state(2) == TrialState::Stopped);
  CHECK(s.member_of(job->trial) == 1);
}

TEST_CASE("pbt: a member whose run failed takes a top member's weights, with none left it drops out") {
  SUBCASE("replaced") {
    Pbt s = make({.population = 3, .interval = 4, .quantile = 0.25});
    while (auto job = s.next()) {
      const bool fail = job->trial == 2;
      s.on_run_end(job->trial, {fail ? NAN : static_cast<double>(job->trial), fail});
    }
    CHECK(s.finished());
    CHECK(s.state(2) == TrialState::Failed);
    REQUIRE_FALSE(s.exploits().empty());
    CHECK(s.exploits()[0].replaced == 2);
    CHECK(s.exploits()[0].donor == 1);  // the best at that moment
    std::size_t completed = 0;
    for (const auto& t : s.trials()) completed += t.state == TrialState::Completed;
    CHECK(completed == 3);  // every member reached the top
  }
  SUBCASE("every run fails: the population drops out and the scheduler finishes") {
    Pbt s = make({.population = 3, .interval = 4});
    std::size_t runs = 0;
    while (auto job = s.next()) {
      ++runs;
      s.on_run_end(job->trial, {NAN, true});
    }
    CHECK(runs == 3);
    CHECK(s.finished());
    for (const auto& t : s.trials()) CHECK(t.state == TrialState::Failed);
  }
}

TEST_CASE("pbt: limits") {
  SUBCASE("max_trials: once reached, weak members go on with their own configuration") {
    Pbt s = make({.population = 4, .interval = 2, .synchronous = true, .max_trials = 5});
    std::size_t inherited = 0;
    while (auto job = s.next()) {
      inherited += job->inherits.has_value();
      s.on_run_end(job->trial, {std::get<double>(job->config.at("x")) + 1, false});
    }
    CHECK(inherited == 1);
    CHECK(s.trials().size() == 5);
  }
  SUBCASE("max_cost: nothing launches past it; raise_limits goes on") {
    Pbt s = make({.population = 4, .interval = 2, .max_cost = 12});
    while (auto job = s.next()) s.on_run_end(job->trial, {1.0 + static_cast<double>(job->trial), false});
    CHECK(s.finished());
    CHECK(s.cost_charged() >= 12);
    CHECK(s.cost_charged() < 12 + 2 + 1e-9);
    s.raise_limits(std::nullopt, 30, false);
    CHECK_FALSE(s.finished());
    REQUIRE(s.next());
  }
}

TEST_CASE("pbt: the same seed gives the same decisions, a bad setup throws") {
  auto run = [](std::uint64_t seed) {
    Pbt s = make({.population = 6, .interval = 2, .resample_probability = 0.5}, seed);
    return test::run_loop(s, test::LoopOptions{.workers = 3, .seed = 4}).jobs;
  };
  const auto a = run(9), b = run(9), c = run(10);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].config == b[i].config);
  bool differs = a.size() != c.size();
  for (std::size_t i = 0; !differs && i < a.size(); ++i) differs = a[i].config != c[i].config;
  CHECK(differs);

  auto optimizer = [] { return test::fake_optimizer(std::make_shared<test::OptimizerLog>()); };
  CHECK_THROWS_AS(Pbt(optimizer(), test::epochs_ladder(), x_space(), {}, 1), std::invalid_argument);  // no step
  CHECK_THROWS_AS(make({.interval = 1.5}), std::invalid_argument);
  CHECK_THROWS_AS(make({.population = 1}), std::invalid_argument);
  CHECK_THROWS_AS(make({.quantile = 0.6}), std::invalid_argument);
  CHECK_THROWS_AS(make({.perturb_low = -1}), std::invalid_argument);
}
