// Cost-aware Hyperband sizing (hyperband_schedule.hpp): n_s = max(ceil(B / C_s), ceil(eta^s)),
// B = (s_max+1) c_top, C_s = sum_i eta^-i c_{s_max-s+i}. Tables computed by hand.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "fake_optimizer.hpp"
#include "fidelity/ladder.hpp"
#include "scheduler/asha.hpp"
#include "scheduler/hyperband.hpp"
#include "scheduler/hyperband_schedule.hpp"

using namespace rungs;
using scheduler::hyperband_brackets;
using Table = std::vector<std::vector<std::size_t>>;

namespace {

Table configs_of(const std::vector<scheduler::BracketPlan>& plans) {
  Table t;
  for (const auto& p : plans) t.push_back(p.configs());
  return t;
}

// R = 27: epochs 1..27 x data fraction 0.25, 0.5, 1, 1 x resolution 7, 14, 28, 28 (power 2):
// product costs 0.015625, 0.375, 9, 27.
fidelity::BudgetLadder three_dimensions() {
  fidelity::Dimension epochs{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 27}};
  fidelity::Dimension fraction{"data_fraction", false, fidelity::Growth::Fixed, fidelity::Listed{{0.25, 0.5, 1, 1}}};
  fidelity::Dimension resolution{"resolution", true, fidelity::Growth::Fixed, fidelity::Listed{{7, 14, 28, 28}}};
  resolution.cost_power = 2;
  return fidelity::BudgetLadder(1, 27, 3, {epochs, fraction, resolution}, fidelity::CostModel::product());
}

}  // namespace

TEST_CASE("cost sizing: costs proportional to eta^k give the paper's table exactly") {
  CHECK(configs_of(hyperband_brackets(3, {1, 3, 9, 27})) == configs_of(hyperband_brackets(3, 3.0)));
  CHECK(configs_of(hyperband_brackets(3, {2, 6, 18, 54})) == configs_of(hyperband_brackets(3, 3.0)));
  CHECK(configs_of(hyperband_brackets(3, {1, 3, 9, 27, 81})) == Table{{81, 27, 9, 3, 1}, {34, 11, 3, 1}, {15, 5, 1}, {8, 2}, {5}});
  CHECK(configs_of(hyperband_brackets(2, {1, 2, 4, 8})) == configs_of(hyperband_brackets(3, 2.0)));
}

TEST_CASE("cost sizing: hand-computed tables, B = 4 x 27 = 108") {
  // c = 0.25, 1.5, 9, 27 (epochs x data fraction 0.25, 0.5, 1, 1):
  //   s=3: C = 0.25 + 1.5/3 + 9/9 + 27/27 = 2.75 -> ceil(39.27) = 40: 40 13 4 1
  //   s=2: C = 1.5 + 9/3 + 27/9 = 7.5       -> ceil(14.4)  = 15: 15 5 1
  //   s=1: C = 9 + 27/3 = 18                -> 6: 6 2
  //   s=0: C = 27                           -> 4
  CHECK(configs_of(hyperband_brackets(3, {0.25, 1.5, 9, 27})) == Table{{40, 13, 4, 1}, {15, 5, 1}, {6, 2}, {4}});
  // c = 0.015625, 0.375, 9, 27 (and resolution 7, 14, 28, 28 with power 2):
  //   s=3: C = 0.015625 + 0.125 + 1 + 1 = 2.140625 -> ceil(50.45) = 51: 51 17 5 1
  //   s=2: C = 0.375 + 3 + 3 = 6.375               -> ceil(16.94) = 17: 17 5 1
  CHECK(configs_of(hyperband_brackets(3, three_dimensions().level_costs())) ==
        Table{{51, 17, 5, 1}, {17, 5, 1}, {6, 2}, {4}});
  // Integer rounding of epochs 1..30 (1, 3, 10, 30): s=3: C = (1 + 1 + 10/9 + 30/27) = 4.222 ->
  // ceil(120 / 4.222) = 29 (the paper, assuming 30/27, 30/9, 10, 30: 27).
  CHECK(configs_of(hyperband_brackets(3, {1, 3, 10, 30})) == Table{{29, 9, 3, 1}, {13, 4, 1}, {6, 2}, {4}});
  // Flat costs would give ceil(108 / 40) = 3 < 27: at least eta^s, so one run reaches the top.
  CHECK(configs_of(hyperband_brackets(3, {27, 27, 27, 27})) == Table{{27, 9, 3, 1}, {9, 3, 1}, {3, 1}, {4}});
  // A level may cost nothing (Branin's fidelity s = 0); the top may not. c = 0, 1: B = 2,
  // C_1 = 0 + 1/3, n = 6.
  CHECK(scheduler::hyperband_initial_configs(1, 3, {0, 1}) == 6);
  CHECK_THROWS_AS(hyperband_brackets(3, {1, 0}), std::invalid_argument);
  CHECK_THROWS_AS(hyperband_brackets(3, {}), std::invalid_argument);
  CHECK_THROWS_AS(hyperband_brackets(3, {1, NAN, 3}), std::invalid_argument);
  CHECK_THROWS_AS(scheduler::hyperband_initial_configs(4, 3, {1, 3, 9}), std::invalid_argument);
}

TEST_CASE("cost sizing: Hyperband and asynchronous Hyperband start the cost-sized brackets") {
  // With every run left out, next() hands out each bracket's first stage, then opens the next.
  scheduler::Hyperband hyperband(test::fake_optimizer(std::make_shared<test::OptimizerLog>()), three_dimensions());
  std::map<std::size_t, std::size_t> started;
  while (auto job = hyperband.next()) ++started[job->bracket];
  CHECK(started == std::map<std::size_t, std::size_t>{{0, 51}, {1, 17}, {2, 6}, {3, 4}});

  // Asynchronous Hyperband sends new trials in the ratio n_s: the first 78 land as above.
  scheduler::AsyncHyperband async(test::fake_optimizer(std::make_shared<test::OptimizerLog>()), three_dimensions(),
                                  {.max_trials = 51 + 17 + 6 + 4});
  started.clear();
  while (auto job = async.next()) ++started[job->bracket];
  CHECK(started == std::map<std::size_t, std::size_t>{{0, 51}, {1, 17}, {2, 6}, {3, 4}});

  // Successive halving keeps the paper's n for its bracket (nothing to balance): 27 9 3 1.
  scheduler::SuccessiveHalving halving(test::fake_optimizer(std::make_shared<test::OptimizerLog>()), three_dimensions());
  CHECK(halving.plan().configs() == std::vector<std::size_t>{27, 9, 3, 1});
}
