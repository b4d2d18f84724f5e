// Ranking and top-k promotion: ties, NaN, +-inf, failed and missing values.
#include <doctest/doctest.h>

#include <limits>
#include <stdexcept>
#include <vector>

#include "scheduler/promotion.hpp"

using rungs::scheduler::promotable;
using rungs::scheduler::rank_results;
using rungs::scheduler::RungResult;
using rungs::scheduler::select_promotions;
using rungs::scheduler::TrialId;
using Ids = std::vector<TrialId>;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("promotion: top k by value, smaller is better") {
  const std::vector<RungResult> rung{{1, 0.9, false}, {2, 0.1, false}, {3, 0.5, false}, {4, 0.3, false}};
  CHECK(select_promotions(rung, 2) == Ids{2, 4});
  CHECK(select_promotions(rung, 0).empty());
  CHECK(rank_results(rung) == Ids{2, 4, 3, 1});
}

TEST_CASE("promotion: ties are broken by trial id, whatever the input order") {
  const std::vector<RungResult> a{{7, 0.3, false}, {3, 0.3, false}, {5, 0.1, false}, {4, 0.3, false}};
  const std::vector<RungResult> b{{4, 0.3, false}, {5, 0.1, false}, {3, 0.3, false}, {7, 0.3, false}};
  CHECK(select_promotions(a, 2) == Ids{5, 3});
  CHECK(select_promotions(b, 2) == Ids{5, 3});
  CHECK(rank_results(a) == Ids{5, 3, 4, 7});
  CHECK(rank_results(b) == Ids{5, 3, 4, 7});
  // 0.0 and -0.0 compare equal: a tie.
  const std::vector<RungResult> zeros{{9, 0.0, false}, {8, -0.0, false}};
  CHECK(select_promotions(zeros, 1) == Ids{8});
}

TEST_CASE("promotion: NaN, +inf, -inf and failed runs are never promoted") {
  CHECK_FALSE(promotable({1, kNaN, false}));
  CHECK_FALSE(promotable({1, kInf, false}));
  CHECK_FALSE(promotable({1, -kInf, false}));
  CHECK_FALSE(promotable({1, 0.1, true}));  // failed, even with a good value
  CHECK(promotable({1, 0.1, false}));

  const std::vector<RungResult> rung{{1, kNaN, false}, {2, -kInf, false}, {3, 0.8, false}, {4, kInf, false},
                                     {5, 0.01, true},  {6, 0.5, false},   {7, 1e300, false}};
  CHECK(select_promotions(rung, 3) == Ids{6, 3, 7});
  // Non-promotable ones rank last, by id.
  CHECK(rank_results(rung) == Ids{6, 3, 7, 1, 2, 4, 5});
}

TEST_CASE("promotion: fewer promotable than k promotes only those, possibly none") {
  const std::vector<RungResult> rung{{1, kNaN, false}, {2, 0.4, false}, {3, 0.2, true}};
  CHECK(select_promotions(rung, 2) == Ids{2});
  const std::vector<RungResult> hopeless{{1, kNaN, false}, {2, 0.2, true}, {3, -kInf, false}};
  CHECK(select_promotions(hopeless, 1).empty());
  CHECK(select_promotions(std::vector<RungResult>{}, 3).empty());
}

TEST_CASE("promotion: a trial listed twice is rejected") {
  const std::vector<RungResult> rung{{1, 0.1, false}, {2, 0.2, false}, {1, 0.3, false}};
  CHECK_THROWS_WITH_AS(select_promotions(rung, 1), doctest::Contains("trial 1"), std::invalid_argument);
}
