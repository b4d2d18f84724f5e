// Budget levels and their values per dimension (hand-computed tables).
#include <doctest/doctest.h>

#include <stdexcept>

#include "fidelity/ladder.hpp"

using namespace rungs::fidelity;

TEST_CASE("ladder: R = 27, eta = 3 has four levels of 1, 3, 9, 27 units") {
  const BudgetLadder ladder(1, 27, 3, {});
  REQUIRE(ladder.levels() == 4);
  CHECK(ladder.s_max() == 3);
  CHECK(ladder.at(0).units == doctest::Approx(1));
  CHECK(ladder.at(1).units == doctest::Approx(3));
  CHECK(ladder.at(2).units == doctest::Approx(9));
  CHECK(ladder.at(3).units == doctest::Approx(27));
  CHECK_THROWS_AS(ladder.at(4), std::out_of_range);
}

TEST_CASE("ladder: the top level is exactly max when R is not a power of eta (HpBandSter convention)") {
  const BudgetLadder ladder(1, 30, 3, {});
  REQUIRE(ladder.levels() == 4);  // floor(log_3 30) = 3
  CHECK(ladder.at(3).units == doctest::Approx(30));
  CHECK(ladder.at(2).units == doctest::Approx(10));
  CHECK(ladder.at(0).units == doctest::Approx(30.0 / 27));
}

TEST_CASE("ladder: s_max survives floating-point rounding") {
  CHECK(max_bracket_index(81, 3) == 4);
  CHECK(max_bracket_index(243, 3) == 5);
  CHECK(max_bracket_index(1000, 10) == 3);
  CHECK(max_bracket_index(80.9, 3) == 3);
  CHECK(max_bracket_index(1, 3) == 0);
}

TEST_CASE("ladder: geometric dimensions, integer ones rounded") {
  const BudgetLadder ladder(1, 9, 3,
                            {{"epochs", true, Growth::Continued, Geometric{2, 50}},
                             {"fraction", false, Growth::Fixed, Geometric{0.1, 1.0}}});
  // epochs: 2 * 25^(k/2) = 2, 10, 50; fraction: 0.1 * 10^(k/2) = 0.1, 0.316.., 1
  CHECK(ladder.at(0).values.at("epochs") == 2);
  CHECK(ladder.at(1).values.at("epochs") == 10);
  CHECK(ladder.at(2).values.at("epochs") == 50);
  CHECK(ladder.at(1).values.at("fraction") == doctest::Approx(0.316227766));
  CHECK(ladder.at(2).values.at("fraction") == doctest::Approx(1.0));
}

TEST_CASE("ladder: listed dimensions take one value per level") {
  const BudgetLadder ladder(1, 9, 3, {{"resolution", true, Growth::Fixed, Listed{{7, 14, 28}}}});
  CHECK(ladder.at(0).values.at("resolution") == 7);
  CHECK(ladder.at(2).values.at("resolution") == 28);
  CHECK(ladder.at(2).level == 2);
}

TEST_CASE("ladder: bad settings are refused with the value in the message") {
  CHECK_THROWS_WITH_AS(BudgetLadder(1, 9, 1, {}), doctest::Contains("eta"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BudgetLadder(0, 9, 3, {}), doctest::Contains("min budget"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BudgetLadder(9, 1, 3, {}), doctest::Contains("max budget"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BudgetLadder(1, 9, 3, {{"r", true, Growth::Fixed, Listed{{7, 14}}}}),
                       doctest::Contains("3 levels"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BudgetLadder(1, 9, 3, {{"r", true, Growth::Fixed, Listed{{28, 14, 7}}}}),
                       doctest::Contains("must not decrease"), std::invalid_argument);
  CHECK_THROWS_WITH_AS(BudgetLadder(1, 9, 3, {{"e", true, Growth::Continued, Geometric{0, 9}}}),
                       doctest::Contains("'e'"), std::invalid_argument);
}

TEST_CASE("ladder: linear spacing (step) gives min, min + step, ..., max and maps dimensions linearly") {
  const BudgetLadder ladder(2, 52, 3,
                            {{"epochs", true, Growth::Continued, Geometric{2, 52}},
                             {"fraction", false, Growth::Fixed, Geometric{0.5, 1.0}}},
                            CostModel::units(), 2.0);
  REQUIRE(ladder.levels() == 26);
  CHECK(ladder.step() == doctest::Approx(2));
  for (std::size_t k = 0; k < ladder.levels(); ++k) {
    CHECK(ladder.at(k).units == doctest::Approx(2 + 2.0 * static_cast<double>(k)));
    CHECK(ladder.at(k).values.at("epochs") == doctest::Approx(2 + 2.0 * static_cast<double>(k)));
  }
  CHECK(ladder.at(25).values.at("fraction") == doctest::Approx(1.0));
  CHECK(ladder.at(5).values.at("fraction") == doctest::Approx(0.5 + 0.5 * 5 / 25));
  CHECK_FALSE(BudgetLadder(1, 27, 3, {}).step().has_value());
}

TEST_CASE("ladder: a step that does not divide max - min is refused with its value") {
  CHECK_THROWS_WITH_AS(BudgetLadder(2, 52, 3, {}, CostModel::units(), 3.0), doctest::Contains("got step 3"),
                       std::invalid_argument);
  CHECK_THROWS_AS(BudgetLadder(2, 52, 3, {}, CostModel::units(), 0.0), std::invalid_argument);
  CHECK_THROWS_AS(BudgetLadder(2, 52, 3, {}, CostModel::units(), 60.0), std::invalid_argument);
  CHECK(BudgetLadder(1, 52, 3, {}, CostModel::units(), 1.0).levels() == 52);
}
