// The one rule for "best" (scheduler/incumbent.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "scheduler/incumbent.hpp"

using rungs::scheduler::Incumbent;
using rungs::scheduler::RunResult;

TEST_CASE("incumbent: a higher budget level beats a better value at a lower one") {
  Incumbent best;
  CHECK(best.offer({1, 0, 0.10}));
  CHECK(best.offer({2, 1, 0.50}));
  CHECK_FALSE(best.offer({3, 0, 0.01}));
  REQUIRE(best.best());
  CHECK(best.best()->trial == 2);
}

TEST_CASE("incumbent: at one level the smaller value wins and a tie keeps the earlier run") {
  Incumbent best;
  CHECK(best.offer({1, 2, 0.30}));
  CHECK(best.offer({2, 2, 0.20}));
  CHECK_FALSE(best.offer({3, 2, 0.20}));
  CHECK_FALSE(best.offer({4, 2, 0.25}));
  CHECK(best.best()->trial == 2);
}

TEST_CASE("incumbent: a run stopped early never becomes the best, however good its last value") {
  Incumbent best;
  CHECK(best.offer({1, 1, 0.40}));
  CHECK_FALSE(best.offer({2, 1, 0.01, /*stopped_early=*/true}));
  CHECK_FALSE(best.offer({3, 2, 0.01, /*stopped_early=*/true}));
  CHECK(best.best()->trial == 1);
}

TEST_CASE("incumbent: failed runs and non-finite values never count") {
  Incumbent best;
  CHECK_FALSE(best.offer({1, 0, 0.1, false, /*failed=*/true}));
  CHECK_FALSE(best.offer({2, 0, std::numeric_limits<double>::quiet_NaN()}));
  CHECK_FALSE(best.offer({3, 0, -std::numeric_limits<double>::infinity()}));
  CHECK_FALSE(best.best());
  CHECK(best.offer({4, 0, 7.0}));
  CHECK(best.best()->trial == 4);
}
