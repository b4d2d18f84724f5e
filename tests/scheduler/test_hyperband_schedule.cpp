// The Hyperband schedule (Li et al., JMLR 2018, Alg. 1) pinned for several R and eta.
#include <doctest/doctest.h>

#include <stdexcept>
#include <vector>

#include "fake_optimizer.hpp"
#include "scheduler/hyperband_schedule.hpp"

using rungs::scheduler::BracketPlan;
using rungs::scheduler::hyperband_bracket;
using rungs::scheduler::hyperband_brackets;
using rungs::scheduler::hyperband_initial_configs;
using rungs::scheduler::successive_halving_plan;
using Table = std::vector<std::vector<std::size_t>>;

namespace {

Table configs_of(const std::vector<BracketPlan>& plans) {
  Table t;
  for (const auto& p : plans) t.push_back(p.configs());
  return t;
}

// Every bracket s: s+1 stages at levels s_max - s .. s_max, listed s = s_max first.
void check_levels(const std::vector<BracketPlan>& plans, std::size_t s_max) {
  REQUIRE(plans.size() == s_max + 1);
  for (std::size_t k = 0; k < plans.size(); ++k) {
    const BracketPlan& p = plans[k];
    CHECK(p.s == s_max - k);
    REQUIRE(p.stages.size() == p.s + 1);
    for (std::size_t i = 0; i < p.stages.size(); ++i) CHECK(p.stages[i].level == s_max - p.s + i);
    CHECK(p.last_level() == s_max);
  }
}

}  // namespace

TEST_CASE("hyperband: R=81, eta=3 (the paper's example)") {
  const auto ladder = rungs::test::ladder(1, 81, 3);
  REQUIRE(ladder.s_max() == 4);
  const auto plans = hyperband_brackets(ladder.s_max(), ladder.eta());
  CHECK(configs_of(plans) == Table{{81, 27, 9, 3, 1}, {34, 11, 3, 1}, {15, 5, 1}, {8, 2}, {5}});
  check_levels(plans, 4);
  std::size_t runs = 0;
  for (const auto& p : plans) runs += p.runs();
  CHECK(runs == 121 + 49 + 21 + 10 + 5);
}

TEST_CASE("hyperband: R=27, eta=3") {
  const auto plans = hyperband_brackets(3, 3);
  CHECK(configs_of(plans) == Table{{27, 9, 3, 1}, {12, 4, 1}, {6, 2}, {4}});
  check_levels(plans, 3);
}

TEST_CASE("hyperband: R=30, eta=3 is not a power: s_max = 3, the R=27 table, levels end at 30") {
  const auto ladder = rungs::test::ladder(1, 30, 3);
  REQUIRE(ladder.s_max() == 3);
  const auto plans = hyperband_brackets(ladder.s_max(), ladder.eta());
  CHECK(configs_of(plans) == Table{{27, 9, 3, 1}, {12, 4, 1}, {6, 2}, {4}});
  CHECK(ladder.at(0).units == doctest::Approx(30.0 / 27));
  CHECK(ladder.at(2).units == doctest::Approx(10));
  CHECK(ladder.at(3).units == doctest::Approx(30));
}

TEST_CASE("hyperband: R=8, eta=2 and R=64, eta=4") {
  CHECK(configs_of(hyperband_brackets(3, 2)) == Table{{8, 4, 2, 1}, {6, 3, 1}, {4, 2}, {4}});
  CHECK(configs_of(hyperband_brackets(3, 4)) == Table{{64, 16, 4, 1}, {22, 5, 1}, {8, 2}, {4}});
  CHECK(configs_of(hyperband_brackets(5, 2)) ==
        Table{{32, 16, 8, 4, 2, 1}, {20, 10, 5, 2, 1}, {12, 6, 3, 1}, {8, 4, 2}, {6, 3}, {6}});
}

TEST_CASE("hyperband: non-integer eta 1.5 (ceil of an exact integer computed in floating point)") {
  // s=2: (3+1)/(2+1) * 1.5^2 = 3 exactly; a careless ceil gives 4.
  CHECK(hyperband_initial_configs(2, 3, 1.5) == 3);
  CHECK(configs_of(hyperband_brackets(3, 1.5)) == Table{{4, 2, 1, 1}, {3, 2, 1}, {3, 2}, {4}});
  CHECK(configs_of(hyperband_brackets(2, 2.5)) == Table{{7, 2, 1}, {4, 1}, {3}});
}

TEST_CASE("hyperband: decimal eta where long double lands just beside an integer") {
  // s=1: 5/2 * 1.6 = 4, computed as 4 + 4e-19: a bare ceil gives 5.
  CHECK(configs_of(hyperband_brackets(4, 1.6)) == Table{{7, 4, 2, 1, 1}, {6, 3, 2, 1}, {5, 3, 1}, {4, 2}, {5}});
  // s=3: n = 11 and 11 / 2.2 = 5, computed as 5 - 4e-19: a bare floor gives 4.
  CHECK(configs_of(hyperband_brackets(3, 2.2)) == Table{{11, 5, 2, 1}, {7, 3, 1}, {5, 2}, {4}});
}

TEST_CASE("hyperband: integer eta is exact where doubles are not") {
  // 11/9 * 3^8 = 8019 exactly; in doubles it is 8019.000000000001 and ceil gives 8020.
  CHECK(hyperband_initial_configs(8, 10, 3) == 8019);
  CHECK(hyperband_initial_configs(2, 4, 3) == 15);
  CHECK(hyperband_initial_configs(3, 4, 3) == 34);
}

TEST_CASE("hyperband: with integer eta the survivors floor(n_i/eta) are exactly n_{i+1}") {
  for (double eta : {2.0, 3.0, 4.0, 5.0}) {
    for (std::size_t s_max = 0; s_max <= 7; ++s_max) {
      for (const auto& plan : hyperband_brackets(s_max, eta)) {
        CHECK(plan.stages.back().configs >= 1);
        for (std::size_t i = 0; i + 1 < plan.stages.size(); ++i)
          CHECK(plan.stages[i + 1].configs == plan.stages[i].configs / static_cast<std::size_t>(eta));
      }
    }
  }
}

TEST_CASE("hyperband: s_max = 0 is one bracket of one configuration at the only level") {
  CHECK(configs_of(hyperband_brackets(0, 3)) == Table{{1}});
}

TEST_CASE("hyperband: bad arguments throw with the value in the message") {
  CHECK_THROWS_AS(hyperband_bracket(5, 4, 3), std::invalid_argument);
  CHECK_THROWS_WITH(hyperband_bracket(5, 4, 3), doctest::Contains("s = 5"));
  CHECK_THROWS_AS(hyperband_brackets(3, 1.0), std::invalid_argument);
  CHECK_THROWS_WITH(hyperband_brackets(3, 0.5), doctest::Contains("0.5"));
}

TEST_CASE("successive halving plan: n0 at first_level, floor(n0 eta^-i) per stage") {
  const BracketPlan p = successive_halving_plan(20, 1, 3, 3);
  CHECK(p.configs() == std::vector<std::size_t>{20, 6, 2});
  CHECK(p.first_level() == 1);
  CHECK(p.last_level() == 3);
  CHECK(p.runs() == 28);
  CHECK_THROWS_WITH_AS(successive_halving_plan(8, 0, 3, 3), doctest::Contains("stage 2"), std::invalid_argument);
  CHECK_THROWS_AS(successive_halving_plan(8, 0, 0, 3), std::invalid_argument);
}
