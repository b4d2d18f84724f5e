// Budget points and their costs: level -> point mapping, the product / units / formula cost
// models, and what a promoted run is charged (hand-computed tables).
#include <doctest/doctest.h>

#include <stdexcept>

#include "fidelity/ladder.hpp"
#include "fidelity/run_cost.hpp"

using namespace rungs::fidelity;

namespace {

// R = 27, eta = 3: epochs 1, 3, 9, 27 (continued) x data fraction 0.25, 0.5, 1, 1 (warm start)
// x resolution 7, 14, 28, 28 px (cost power 2, rerun on change).
std::vector<Dimension> three_dimensions() {
  Dimension epochs{"epochs", true, Growth::Continued, Geometric{1, 27}};
  Dimension fraction{"data_fraction", false, Growth::Fixed, Listed{{0.25, 0.5, 1, 1}}};
  fraction.warm_start = true;
  Dimension resolution{"resolution", true, Growth::Fixed, Listed{{7, 14, 28, 28}}};
  resolution.cost_power = 2;
  return {epochs, fraction, resolution};
}

BudgetLadder three(CostModel model = CostModel::product()) { return BudgetLadder(1, 27, 3, three_dimensions(), model); }

double charge(const BudgetLadder& ladder, std::size_t from, std::size_t to) {
  return run_cost(ladder, ladder.at(to), ladder.at(from));
}

}  // namespace

TEST_CASE("budget points: every level maps to one value per dimension") {
  const auto ladder = three();
  REQUIRE(ladder.levels() == 4);
  const double table[4][3] = {{1, 0.25, 7}, {3, 0.5, 14}, {9, 1, 28}, {27, 1, 28}};
  for (std::size_t k = 0; k < 4; ++k) {
    CAPTURE(k);
    CHECK(ladder.at(k).values.at("epochs") == table[k][0]);
    CHECK(ladder.at(k).values.at("data_fraction") == table[k][1]);
    CHECK(ladder.at(k).values.at("resolution") == table[k][2]);
  }
}

TEST_CASE("product cost: max_units x prod (value / top)^power, by hand") {
  // level 0: 27 x 1/27 x 0.25 x (7/28)^2 = 0.015625;  level 1: 27 x 3/27 x 0.5 x (14/28)^2 = 0.375
  // level 2: 27 x 9/27 x 1 x 1 = 9;                     level 3: 27
  const auto ladder = three();
  CHECK(ladder.at(0).cost == doctest::Approx(0.015625));
  CHECK(ladder.at(1).cost == doctest::Approx(0.375));
  CHECK(ladder.at(2).cost == doctest::Approx(9));
  CHECK(ladder.at(3).cost == doctest::Approx(27));
  CHECK(ladder.level_costs().size() == 4);

  // Epochs alone: cost = epochs = units (so the Hyperband tables stay the paper's).
  const BudgetLadder epochs(1, 27, 3, {{"epochs", true, Growth::Continued, Geometric{1, 27}}}, CostModel::product());
  for (std::size_t k = 0; k < 4; ++k) CHECK(epochs.at(k).cost == doctest::Approx(epochs.at(k).units));
  // No dimension: the units.
  const BudgetLadder bare(1, 9, 3, {}, CostModel::product());
  CHECK(bare.at(0).cost == doctest::Approx(1));
  CHECK(bare.at(2).cost == doctest::Approx(9));
  // cost_power 0: a dimension that costs nothing.
  auto free = three_dimensions();
  free[2].cost_power = 0;
  CHECK(BudgetLadder(1, 27, 3, free, CostModel::product()).at(0).cost == doctest::Approx(0.25));
}

TEST_CASE("units cost (the C++ default) and a user formula") {
  const BudgetLadder units(1, 27, 3, three_dimensions());
  CHECK(units.cost_model().kind() == CostModel::Kind::Units);
  CHECK(units.at(0).cost == doctest::Approx(1));
  CHECK(units.at(3).cost == doctest::Approx(27));

  // A fixed start-up cost of 10 per run plus the work: 10.015625, 10.375, 19, 37.
  const auto formula = three(CostModel::formula("10 + epochs * data_fraction * (resolution/28)^2"));
  CHECK(formula.at(0).cost == doctest::Approx(10.015625));
  CHECK(formula.at(1).cost == doctest::Approx(10.375));
  CHECK(formula.at(2).cost == doctest::Approx(19));
  CHECK(formula.at(3).cost == doctest::Approx(37));
  // `units` and `level` are variables too.
  const auto by_level = three(CostModel::formula("units + level"));
  CHECK(by_level.at(2).cost == doctest::Approx(11));
}

TEST_CASE("run cost: a continued dimension pays the increment, a changed rerun dimension the whole run") {
  const auto ladder = three();
  // New runs pay their point.
  CHECK(run_start(ladder, ladder.at(0), std::nullopt) == RunStart::New);
  CHECK(run_cost(ladder, ladder.at(0), std::nullopt) == doctest::Approx(0.015625));
  // 0 -> 1 and 1 -> 2: the resolution changes (rerun): the whole point.
  CHECK(run_start(ladder, ladder.at(1), ladder.at(0)) == RunStart::Rerun);
  CHECK(charge(ladder, 0, 1) == doctest::Approx(0.375));
  CHECK(charge(ladder, 1, 2) == doctest::Approx(9));
  // 2 -> 3: only epochs change: resume, 27 - 9.
  CHECK(run_start(ladder, ladder.at(3), ladder.at(2)) == RunStart::Resume);
  CHECK(charge(ladder, 2, 3) == doctest::Approx(18));

  // Without the resolution, the warm-started fraction resumes at the new fraction:
  //   0 -> 1: 27 x (3 - 1)/27 x 0.5 = 1;  1 -> 2: 27 x (9 - 3)/27 x 1 = 6;  2 -> 3: 18.
  auto dims = three_dimensions();
  dims.pop_back();
  const BudgetLadder warm(1, 27, 3, dims, CostModel::product());
  CHECK(warm.at(0).cost == doctest::Approx(0.25));
  CHECK(warm.at(1).cost == doctest::Approx(1.5));
  CHECK(run_start(warm, warm.at(1), warm.at(0)) == RunStart::Resume);
  CHECK(charge(warm, 0, 1) == doctest::Approx(1));
  CHECK(charge(warm, 1, 2) == doctest::Approx(6));
  CHECK(charge(warm, 2, 3) == doctest::Approx(18));
  // The same fraction rerun on change: 1.5 and 9 in full, then 18.
  dims[1].warm_start = false;
  const BudgetLadder rerun(1, 27, 3, dims, CostModel::product());
  CHECK(charge(rerun, 0, 1) == doctest::Approx(1.5));
  CHECK(charge(rerun, 1, 2) == doctest::Approx(9));
  CHECK(charge(rerun, 2, 3) == doctest::Approx(18));

  // Units model: the loop's old accounting (units minus the resumed units) when resuming.
  const BudgetLadder units(1, 27, 3, {{"epochs", true, Growth::Continued, Geometric{1, 27}}});
  CHECK(charge(units, 1, 2) == doctest::Approx(6));
  // No continued dimension: a promotion pays its whole budget.
  const BudgetLadder draws(9, 729, 3, {{"draws", true, Growth::Fixed, Geometric{9, 729}}});
  CHECK(run_start(draws, draws.at(1), draws.at(0)) == RunStart::Rerun);
  const BudgetLadder bare(1, 9, 3, {});
  CHECK(run_start(bare, bare.at(1), bare.at(0)) == RunStart::Resume);
  CHECK(charge(bare, 0, 1) == doctest::Approx(3));
  // A formula's constant start-up term is charged to fresh runs and reruns only.
  CHECK(charge(three(CostModel::formula("10 + epochs * data_fraction * (resolution/28)^2")), 2, 3) ==
        doctest::Approx(18));
  CHECK(std::string(to_string(RunStart::Rerun)) == "rerun");
}

TEST_CASE("cost models refuse what cannot be a cost, naming it") {
  CHECK_THROWS_WITH_AS(three(CostModel::formula("epochs * ")), doctest::Contains("cost formula"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(three(CostModel::formula("epochs * depth")), doctest::Contains("depth"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(three(CostModel::formula("27 - epochs")), doctest::Contains("must not decrease"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(three(CostModel::formula("epochs - 5")), doctest::Contains(">= 0"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(three(CostModel::formula("0 * epochs")), doctest::Contains("top level"), std::invalid_argument);
  auto dims = three_dimensions();
  dims[2].cost_power = -1;
  CHECK_THROWS_WITH_AS(BudgetLadder(1, 27, 3, dims, CostModel::product()), doctest::Contains("'resolution'"),
                       std::invalid_argument);
  dims = three_dimensions();
  dims.push_back(dims.front());
  CHECK_THROWS_WITH_AS(BudgetLadder(1, 27, 3, dims), doctest::Contains("twice"), std::invalid_argument);
  // A top value of 0 cannot be priced by the product; with cost_power 0 it can.
  Dimension zero{"s", false, Growth::Fixed, Listed{{0, 0}}};
  CHECK_THROWS_WITH_AS(BudgetLadder(1, 3, 3, {zero}, CostModel::product()), doctest::Contains("'s'"),
                       std::invalid_argument);
  zero.cost_power = 0;
  CHECK(BudgetLadder(1, 3, 3, {zero}, CostModel::product()).at(1).cost == doctest::Approx(3));
}

TEST_CASE("dimensions reach the trial as text and in their own environment variable") {
  Dimension epochs{"epochs", true, Growth::Continued, Geometric{1, 27}};
  Dimension fraction{"data_fraction", false, Growth::Fixed, Geometric{0.1, 1}};
  CHECK(env_name(epochs) == "RUNGS_BUDGET_EPOCHS");
  CHECK(env_name(fraction) == "RUNGS_BUDGET_DATA_FRACTION");
  fraction.env = "FRACTION";
  CHECK(env_name(fraction) == "FRACTION");
  CHECK(format_value(epochs, 9) == "9");
  CHECK(format_value(fraction, 0.5) == "0.5");
  CHECK(format_value(fraction, 1) == "1.0");  // as RUNGS_BUDGET's JSON writes it
  CHECK(format_value(fraction, 0.31622776601683794) == "0.31622776601683794");
}
