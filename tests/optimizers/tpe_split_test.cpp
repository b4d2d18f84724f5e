// The TPE observation store and BOHB's good/bad split (optimizers/tpe/observations.hpp).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "optimizers/tpe/observations.hpp"

using namespace rungs::optimizers::tpe;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// A 1-D level whose point i is (i / n) and value values[i].
Observations level0(const std::vector<double>& values) {
  Observations obs(1);
  for (std::size_t i = 0; i < values.size(); ++i) {
    Eigen::VectorXd p(1);
    p[0] = static_cast<double>(i) / static_cast<double>(values.size());
    obs.add(0, 1.0, p, values[i]);
  }
  return obs;
}

}  // namespace

TEST_CASE("tpe split: HpBandSter's sizes, best first") {
  SUBCASE("many points: 15% good, the next 85% bad") {
    std::vector<double> values;
    for (int i = 0; i < 100; ++i) values.push_back(100.0 - i);  // the last is the best
    const auto obs = level0(values);
    const auto s = split(*obs.level(0), 3, 15);
    CHECK(s.good.size() == 15);
    CHECK(s.bad.size() == 85);
    CHECK(s.good.front() == 99);
    CHECK(s.bad.back() == 0);
  }
  SUBCASE("few points: N_min good, the rest bad") {
    const auto obs = level0({5, 4, 3, 2, 1});
    const auto s = split(*obs.level(0), 3, 15);
    CHECK(s.good == std::vector<std::size_t>{4, 3, 2});
    CHECK(s.bad == std::vector<std::size_t>{1, 0});
  }
  SUBCASE("n_bad caps the bad set") {
    const auto obs = level0(std::vector<double>(20, 1.0));
    const auto s = split(*obs.level(0), 2, 50);
    CHECK(s.good.size() == 10);
    CHECK(s.bad.size() == 10);
    CHECK(s.good.front() == 0);  // ties keep the order of arrival
  }
}

TEST_CASE("tpe split: failures rank last and never enter the good set") {
  const auto obs = level0({kNaN, 3.0, kInf, -kInf, kNaN, kNaN});
  const Level& level = *obs.level(0);
  CHECK(level.finite == 1);
  CHECK(std::isinf(level.values[3]));
  CHECK(level.values[3] > 0);  // -inf is stored as the worst, not the best
  CHECK(can_model(level, 3));
  const auto s = split(level, 3, 15);
  CHECK(s.good == std::vector<std::size_t>{1});
  // n_bad = max(3, floor(0.85 * 6)) = 5: everything after the one good point.
  CHECK(s.bad == std::vector<std::size_t>{0, 2, 3, 4, 5});
}

TEST_CASE("tpe split: a level is modelled from N_min + 2 points with one finite value") {
  CHECK_FALSE(can_model(*level0({1, 2, 3, 4}).level(0), 3));
  CHECK(can_model(*level0({1, 2, 3, 4, 5}).level(0), 3));
  CHECK_FALSE(can_model(*level0({kNaN, kInf, kNaN, kNaN, kNaN}).level(0), 3));
  Observations obs(2);
  CHECK(obs.level(4) == nullptr);
  obs.add(4, 9.0, Eigen::Vector2d(0.5, kNaN), 1.0);
  obs.add(4, 27.0, Eigen::Vector2d(0.1, 0.2), 2.0);
  CHECK(obs.size() == 2);
  CHECK(obs.level(4)->units == 9.0);  // as first observed
  CHECK(std::isnan(obs.level(4)->row(0, 2)[1]));
  CHECK(obs.level(4)->row(1, 2)[1] == 0.2);
}
