// RankedRung answers ASHA's questions exactly as the sorting functions of promotion.hpp do.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <vector>

#include "scheduler/promotion.hpp"
#include "scheduler/ranked_rung.hpp"

using namespace rungs::scheduler;

TEST_CASE("ranked rung: top-k membership and the best unpromoted candidate match select_promotions") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> uniform(0, 1);
  for (int round = 0; round < 20; ++round) {
    RankedRung ranked;
    std::vector<RungResult> results;
    std::set<TrialId> promoted;
    for (TrialId trial = 1; trial <= 120; ++trial) {
      RungResult result{trial, std::round(uniform(rng) * 20) / 20, uniform(rng) < 0.05};  // ties on purpose
      if (uniform(rng) < 0.05) result.value = std::numeric_limits<double>::quiet_NaN();
      if (uniform(rng) < 0.02) result.value = -std::numeric_limits<double>::infinity();
      results.push_back(result);
      ranked.add(result);
      const std::size_t k = results.size() / 3;
      const auto top = select_promotions(results, k);
      for (const auto& r : results) {
        const bool expected = std::find(top.begin(), top.end(), r.trial) != top.end();
        REQUIRE(ranked.in_top(r.trial, k) == expected);
      }
      std::optional<TrialId> expected_candidate;
      for (TrialId id : top)
        if (!promoted.count(id)) {
          expected_candidate = id;
          break;
        }
      REQUIRE(ranked.best_unpromoted(k) == expected_candidate);
      if (expected_candidate && uniform(rng) < 0.5) {
        promoted.insert(*expected_candidate);
        ranked.promote(*expected_candidate);
      }
    }
  }
}

TEST_CASE("ranked rung: ranks follow value then trial id, and a trial recorded twice is refused") {
  RankedRung ranked;
  ranked.add({7, 0.5, false});
  ranked.add({3, 0.5, false});
  ranked.add({9, 0.1, false});
  ranked.add({1, 0.0, true});
  CHECK(ranked.rank(9) == 0);
  CHECK(ranked.rank(3) == 1);
  CHECK(ranked.rank(7) == 2);
  CHECK(ranked.rank(1) == 3);
  CHECK_FALSE(ranked.in_top(1, 4));  // failed: never promoted
  CHECK_THROWS_AS(ranked.add({3, 0.2, false}), std::invalid_argument);
  CHECK(ranked.size() == 4);
}
