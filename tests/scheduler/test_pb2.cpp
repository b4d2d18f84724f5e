// PBT with `explore: pb2` (scheduler/pbt.hpp): the scheduler hands its bandit every interval
// that continued a result (time, configuration, improvement per budget unit), the runs still
// out as pending, and takes the bandit's configuration for the exploiting trial. The bandit
// itself (the GP) is tested in tests/optimizers/pb2_bandit_test.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "fake_loop.hpp"
#include "scheduler/pbt.hpp"

using namespace rungs;
using namespace rungs::scheduler;

namespace {

struct Call {
  space::Config start;
  double time = 0;
  std::vector<optimizers::IntervalResult> history;
  std::vector<space::Config> pending;
};

// Records each call and answers x = 100 + the call's number.
class FakeBandit : public optimizers::IntervalBandit {
 public:
  explicit FakeBandit(std::shared_ptr<std::vector<Call>> calls) : calls_(std::move(calls)) {}
  space::Config select(const space::Config& start, double time, const std::vector<optimizers::IntervalResult>& history,
                       const std::vector<space::Config>& pending, std::mt19937_64&) override {
    calls_->push_back({start, time, history, pending});
    space::Config out = start;
    out["x"] = 100.0 + static_cast<double>(calls_->size());
    return out;
  }

 private:
  std::shared_ptr<std::vector<Call>> calls_;
};

fidelity::BudgetLadder linear_ladder() {
  fidelity::Dimension epochs{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 12}};
  return fidelity::BudgetLadder(1, 12, 3, {epochs}, fidelity::CostModel::units(), 1.0);
}

Pbt make(PbtOptions options, std::shared_ptr<std::vector<Call>> calls) {
  options.explore = PbtExplore::pb2;
  return Pbt(test::fake_optimizer(std::make_shared<test::OptimizerLog>()), linear_ladder(),
             space::SearchSpace({space::real("x", 0, 1000)}), options, 1, std::make_unique<FakeBandit>(calls));
}

double x_of(const space::Config& c) { return std::get<double>(c.at("x")); }

}  // namespace

TEST_CASE("pb2: the bandit gets each interval's improvement per budget unit and chooses the exploit's values") {
  auto calls = std::make_shared<std::vector<Call>>();
  Pbt s = make({.population = 4, .interval = 2, .quantile = 0.25, .synchronous = true}, calls);
  std::vector<space::Config> first;
  for (int i = 0; i < 4; ++i) first.push_back(s.next()->config);
  for (TrialId t = 1; t <= 4; ++t) s.on_run_end(t, {static_cast<double>(t), false});
  CHECK(s.intervals().empty());  // first runs continue no result: no improvement to measure

  auto exploit = s.next();  // member 3 (trial 4, the worst) takes trial 1's weights
  REQUIRE(exploit);
  REQUIRE(exploit->inherits);
  REQUIRE(calls->size() == 1);
  CHECK(x_of(exploit->config) == 101);  // the bandit's choice, not a perturbation
  CHECK(s.exploits().back().after == exploit->config);
  const Call& call = calls->front();
  CHECK(call.time == doctest::Approx(2));  // the run ends at level 3 = the end of interval 2
  CHECK(call.history.empty());
  CHECK(call.pending.empty());  // synchronous: nothing runs while the generation decides
  CHECK(call.start.size() == 1);  // PBT's explore result of the donor's configuration

  std::vector<Job> rest;
  for (int i = 0; i < 3; ++i) rest.push_back(*s.next());
  // Trial 5 continued trial 1's value 1.0 at level 1; trial 1 its own.
  s.on_run_end(5, {0.5, false});
  s.on_run_end(1, {0.9, false});
  s.on_run_end(2, {1.2, false});
  s.on_run_end(3, {3.5, false});  // worse than before: a negative improvement
  REQUIRE(s.intervals().size() == 4);
  CHECK(s.intervals()[0].improvement == doctest::Approx((1.0 - 0.5) / 2));
  CHECK(s.intervals()[0].time == doctest::Approx(2));
  CHECK(s.intervals()[0].config == exploit->config);
  CHECK(s.intervals()[1].improvement == doctest::Approx((1.0 - 0.9) / 2));
  CHECK(s.intervals()[2].improvement == doctest::Approx((2.0 - 1.2) / 2));
  CHECK(s.intervals()[3].improvement == doctest::Approx((3.0 - 3.5) / 2));
  CHECK(s.intervals()[3].config == first[2]);

  exploit = s.next();  // trial 3 (3.5) is the worst now
  REQUIRE(exploit);
  REQUIRE(exploit->inherits);
  CHECK(exploit->inherits->replaced == 3);
  REQUIRE(calls->size() == 2);
  CHECK(calls->back().history.size() == 4);
  CHECK(calls->back().time == doctest::Approx(3));
  CHECK(x_of(exploit->config) == 102);
}

TEST_CASE("pb2: asynchronous, the runs still out are the bandit's pending configurations") {
  auto calls = std::make_shared<std::vector<Call>>();
  Pbt s = make({.population = 4, .interval = 2, .quantile = 0.25}, calls);
  std::vector<space::Config> configs;
  for (int i = 0; i < 4; ++i) configs.push_back(s.next()->config);
  s.on_run_end(1, {1.0, false});
  REQUIRE(s.next()->trial == 1);  // continues alone
  s.on_run_end(2, {5.0, false});
  auto exploit = s.next();
  REQUIRE(exploit);
  REQUIRE(exploit->inherits);
  REQUIRE(calls->size() == 1);
  const auto& pending = calls->front().pending;
  CHECK(pending == std::vector<space::Config>{configs[0], configs[2], configs[3]});  // trials 1, 3, 4 are out
}

TEST_CASE("pb2: the same seed gives the same decisions, pb2 without a bandit throws") {
  auto run = [] {
    auto calls = std::make_shared<std::vector<Call>>();
    Pbt s = make({.population = 6, .interval = 2}, calls);
    return test::run_loop(s, test::LoopOptions{.workers = 3, .seed = 4}).jobs;
  };
  const auto a = run(), b = run();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].config == b[i].config);
  CHECK(std::any_of(a.begin(), a.end(), [](const Job& j) { return j.inherits && x_of(j.config) > 100; }));

  CHECK_THROWS_AS(Pbt(test::fake_optimizer(std::make_shared<test::OptimizerLog>()), linear_ladder(),
                      space::SearchSpace({space::real("x", 0, 1000)}), PbtOptions{.explore = PbtExplore::pb2}, 1),
                  std::invalid_argument);
}
