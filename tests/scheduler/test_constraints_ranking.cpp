// Constraints and several objectives at a rung: feasible before infeasible (Deb's rules),
// Pareto fronts in epsilon-net order (MO-ASHA), the same order from RankedRung as from
// rank_results, and an incumbent that is never infeasible.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "optimizers/pareto.hpp"
#include "scheduler/incumbent.hpp"
#include "scheduler/promotion.hpp"
#include "scheduler/ranked_rung.hpp"

using namespace rungs::scheduler;

TEST_CASE("constraints: a feasible result ranks before every infeasible one, infeasible ones by violation") {
  const std::vector<RungResult> results = {
      {1, 0.1, false, 0.5, {}},  // best value, violates
      {2, 0.9, false, 0.0, {}},  // worst value, feasible
      {3, 0.5, false, 0.0, {}},
      {4, 0.2, false, 0.1, {}},  // violates less than 1
      {5, 0.0, false, std::numeric_limits<double>::infinity(), {}},  // never reported the metric
      {6, 0.05, true, 0.0, {}},  // failed
  };
  CHECK(rank_results(results) == std::vector<TrialId>{3, 2, 4, 1, 5, 6});
  CHECK(select_promotions(results, 2) == std::vector<TrialId>{3, 2});
  // No feasible result: the least infeasible are promoted.
  const std::vector<RungResult> all_bad = {{1, 0.1, false, 0.5, {}}, {2, 0.9, false, 0.2, {}}};
  CHECK(select_promotions(all_bad, 1) == std::vector<TrialId>{2});
}

TEST_CASE("several objectives: fronts first, each spread by the epsilon-net, ties to the earlier trial") {
  // Front: 1 (0,1), 2 (0.5,0.5), 3 (1,0), 4 (0.1, 0.9) ; dominated: 5 (0.6, 0.6), 6 (1, 1).
  const std::vector<RungResult> results = {
      {6, 1, false, 0, {1, 1}},     {5, 0.6, false, 0, {0.6, 0.6}}, {4, 0.1, false, 0, {0.1, 0.9}},
      {3, 1, false, 0, {1, 0}},     {2, 0.5, false, 0, {0.5, 0.5}}, {1, 0, false, 0, {0, 1}},
  };
  const auto order = rank_results(results);
  // Starts at the best first objective (1), then the farthest from it (3), then 2 (farther
  // from {1, 3} than 4 is), then 4; then the second front 5, the third 6.
  CHECK(order == std::vector<TrialId>{1, 3, 2, 4, 5, 6});
  // An infeasible point on the front ranks after every feasible one.
  auto constrained = results;
  constrained[5].violation = 1;  // trial 1
  CHECK(rank_results(constrained) == std::vector<TrialId>{4, 3, 2, 5, 6, 1});
}

TEST_CASE("several objectives: RankedRung answers as rank_results, after every addition") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> uniform(0, 1);
  RankedRung ranked;
  std::vector<RungResult> results;
  for (TrialId trial = 1; trial <= 60; ++trial) {
    RungResult r{trial, 0, uniform(rng) < 0.05, uniform(rng) < 0.2 ? uniform(rng) : 0.0,
                 {std::round(uniform(rng) * 10) / 10, std::round(uniform(rng) * 10) / 10}};
    r.value = r.objectives[0];
    results.push_back(r);
    ranked.add(r);
    const auto order = rank_results(results);
    for (std::size_t i = 0; i < order.size(); ++i) CHECK(ranked.rank(order[i]) == i);
    const std::size_t k = results.size() / 3;
    const auto top = select_promotions(results, k);
    for (const auto& result : results)
      CHECK(ranked.in_top(result.trial, k) == (std::find(top.begin(), top.end(), result.trial) != top.end()));
    if (const auto best = ranked.best_unpromoted(k)) ranked.promote(*best);
  }
}

TEST_CASE("pareto: hypervolume of two-objective points") {
  using rungs::optimizers::hypervolume_2d;
  CHECK(hypervolume_2d({{0, 1}, {1, 0}}, {2, 2}) == doctest::Approx(3.0));
  CHECK(hypervolume_2d({{0, 1}, {1, 0}, {1, 1}}, {2, 2}) == doctest::Approx(3.0));  // a dominated point adds nothing
  CHECK(hypervolume_2d({{3, 0}}, {2, 2}) == 0.0);  // beyond the reference
}

TEST_CASE("incumbent: an infeasible run never becomes the best, however good") {
  Incumbent incumbent;
  CHECK(incumbent.offer({1, 2, 0.5, false, false, true}));
  CHECK_FALSE(incumbent.offer({2, 2, 0.1, false, false, false}));
  CHECK_FALSE(incumbent.offer({3, 3, 0.1, false, false, false}));  // a higher level neither
  REQUIRE(incumbent.best());
  CHECK(incumbent.best()->trial == 1);
}
