// Rank agreement between budget levels (optimizers/tpe/level_agreement.hpp) and how TPE uses
// it: a lower level that ranks configurations unlike the modelled one weighs less, and a
// higher level is modelled sooner when the level below misleads.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "optimizers/tpe/level_agreement.hpp"
#include "optimizers/tpe/tpe.hpp"

using namespace rungs;
using optimizers::Tpe;
using optimizers::tpe::agreement;
using optimizers::tpe::kAgreementPrior;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

fidelity::Budget level(std::size_t l) {
  const double units = std::pow(3.0, static_cast<double>(l));
  return {l, units, {{"epochs", units}}};
}

Eigen::VectorXd point(double x) { return Eigen::VectorXd::Constant(1, x); }

// m configurations x = i / m at levels 0 and 1, valued by `low` and `high`.
template <class Low, class High>
optimizers::tpe::Observations two_levels(int m, Low low, High high) {
  optimizers::tpe::Observations observations(1);
  for (int i = 0; i < m; ++i) {
    const double x = (i + 0.5) / m;
    observations.add(0, 1, point(x), low(x));
    observations.add(1, 3, point(x), high(x));
  }
  return observations;
}

}  // namespace

TEST_CASE("tpe rank agreement: Spearman's rho over the configurations both levels observed") {
  SUBCASE("the same order: full agreement") {
    const auto o = two_levels(20, [](double x) { return x; }, [](double x) { return 10 * x * x; });
    const auto a = agreement(*o.level(0), *o.level(1), 1);
    CHECK(a.common == 20);
    CHECK(a.rho == doctest::Approx(1));
    CHECK(a.weight == doctest::Approx(1));
  }
  SUBCASE("the reverse order: no weight beyond the prior's share") {
    const auto o = two_levels(20, [](double x) { return x; }, [](double x) { return -x; });
    const auto a = agreement(*o.level(0), *o.level(1), 1);
    CHECK(a.rho == doctest::Approx(-1));
    CHECK(a.weight == doctest::Approx(kAgreementPrior / (20 + kAgreementPrior)));
  }
  SUBCASE("more evidence of disagreement, less weight") {
    const auto few = two_levels(5, [](double x) { return x; }, [](double x) { return -x; });
    const auto many = two_levels(100, [](double x) { return x; }, [](double x) { return -x; });
    CHECK(agreement(*few.level(0), *few.level(1), 1).weight > agreement(*many.level(0), *many.level(1), 1).weight);
    CHECK(agreement(*many.level(0), *many.level(1), 1).weight < 0.05);
  }
  SUBCASE("failures tie last; only common configurations count") {
    optimizers::tpe::Observations o(1);
    for (int i = 0; i < 6; ++i) o.add(0, 1, point(i / 10.0), i < 4 ? i : kInf);
    for (int i = 0; i < 6; ++i) o.add(1, 3, point(i / 10.0), i < 4 ? 2 * i : kInf);
    o.add(1, 3, point(0.95), -5);  // started at level 1: nothing to compare with
    const auto a = agreement(*o.level(0), *o.level(1), 1);
    CHECK(a.common == 6);
    CHECK(a.rho == doctest::Approx(1));
  }
  SUBCASE("fewer than three common configurations: no evidence") {
    const auto o = two_levels(2, [](double x) { return x; }, [](double x) { return -x; });
    const auto a = agreement(*o.level(0), *o.level(1), 1);
    CHECK(a.common == 2);
    CHECK(a.weight == 1);
  }
}

TEST_CASE("tpe rank agreement: a lower level that ranks unlike the modelled one weighs less") {
  const space::SearchSpace space({space::real("x", 0, 1)});
  // Level 0 prefers x near 0.8; level 1 (modelled, 12 points) prefers 0.3 on the same
  // configurations, so level 0's ranking disagrees with it.
  const auto fill = [](Tpe& tpe) {
    for (int i = 0; i < 60; ++i) {
      const double x = (i + 0.5) / 60;
      tpe.observe({{"x", x}}, level(0), std::pow(x - 0.8, 2));
      if (i % 5 == 0) tpe.observe({{"x", x}}, level(1), std::pow(x - 0.3, 2));
    }
  };
  Tpe measured(space, {}, 3), blind(space, {.rank_agreement = false}, 3), alone(space, {.use_lower_budgets = false}, 3);
  fill(measured);
  fill(blind);
  fill(alone);
  REQUIRE(measured.model_level() == 1);
  REQUIRE(blind.model_level() == 1);
  // Without the measurement level 0 pulls the score at its optimum up; with it, level 0's view
  // counts for much less, and the model is close to level 1's alone.
  const double pull_blind = *blind.log_ratio({{"x", 0.8}}) - *alone.log_ratio({{"x", 0.8}});
  const double pull_measured = *measured.log_ratio({{"x", 0.8}}) - *alone.log_ratio({{"x", 0.8}});
  CHECK(pull_blind > 0.3);
  CHECK(pull_measured < pull_blind / 2);
}

TEST_CASE("tpe rank agreement: a higher level is modelled sooner when the level below misleads") {
  const space::SearchSpace space({space::real("x", 0, 1)});  // N_min = 2: 4 points normally
  Tpe measured(space, {.min_points_in_model = 8}, 5), blind(space, {.min_points_in_model = 8, .rank_agreement = false}, 5);
  for (Tpe* tpe : {&measured, &blind}) {
    for (int i = 0; i < 40; ++i) tpe->observe({{"x", (i + 0.5) / 40}}, level(0), (i + 0.5) / 40);
    // Eight of them promoted, ranked the other way round at level 1 (fewer than N_min + 2).
    for (int i = 0; i < 8; ++i) tpe->observe({{"x", (i + 0.5) / 40}}, level(1), -static_cast<double>(i));
  }
  CHECK(blind.model_level() == 0);
  CHECK(measured.model_level() == 1);
  // The early model splits its few points into sets it can fill, and suggests valid points.
  for (int i = 0; i < 5; ++i) {
    const auto c = measured.suggest(level(1));
    CHECK_NOTHROW(space.validate(c));
  }
  // Levels that agree keep BOHB's threshold.
  Tpe agreeing(space, {.min_points_in_model = 8}, 5);
  for (int i = 0; i < 40; ++i) agreeing.observe({{"x", (i + 0.5) / 40}}, level(0), (i + 0.5) / 40);
  for (int i = 0; i < 8; ++i) agreeing.observe({{"x", (i + 0.5) / 40}}, level(1), static_cast<double>(i));
  CHECK(agreeing.model_level() == 0);
}
