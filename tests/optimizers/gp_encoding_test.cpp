// GP features (one-hot categoricals, arc embedding for conditional parameters) and the
// training-set rules (cap, failures, standardization).
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "optimizers/gp/gp_encoding.hpp"
#include "optimizers/gp/training_set.hpp"

using namespace rungs;
using namespace rungs::optimizers::gp;

namespace {

space::SearchSpace conditional_space() {
  return space::SearchSpace({
      space::categorical("optimizer", {"sgd", "adam", "rmsprop"}),
      space::real("lr", 1e-4, 1.0, space::Scale::log),
      space::real("momentum", 0.0, 0.99).when("optimizer", {"sgd"}),
      space::categorical("schedule", {"constant", "step"}).when("optimizer", {"adam"}),
  });
}

double distance(const FeatureMap& map, const space::SearchSpace& s, const space::Config& a, const space::Config& b) {
  return (map(s.encode(a)) - map(s.encode(b))).norm();
}

}  // namespace

TEST_CASE("optimizers: GP features one-hot the choices and embed inactive parameters at a fixed distance") {
  const auto s = conditional_space();
  const FeatureMap map(s);
  CHECK(map.features() == 3 + 1 + 2 + 2);
  CHECK(map.groups() == 4);
  CHECK(map.feature_groups() == std::vector<Eigen::Index>{0, 0, 0, 1, 2, 2, 3, 3});

  using space::Config;
  const Config sgd_low{{"optimizer", "sgd"}, {"lr", 0.01}, {"momentum", 0.0}};
  const Config sgd_high{{"optimizer", "sgd"}, {"lr", 0.01}, {"momentum", 0.99}};
  const Config sgd_mid{{"optimizer", "sgd"}, {"lr", 0.01}, {"momentum", 0.5}};
  const Config adam{{"optimizer", "adam"}, {"lr", 0.01}, {"schedule", "step"}};
  const Config adam2{{"optimizer", "adam"}, {"lr", 0.01}, {"schedule", "constant"}};
  const Config rms{{"optimizer", "rmsprop"}, {"lr", 0.01}};

  const Eigen::VectorXd f = map(s.encode(rms));
  CHECK(f.allFinite());
  CHECK(f.segment(4, 4).isZero());  // momentum and schedule inactive: the origin

  // Different choices are at distance 1, whichever two.
  CHECK(distance(map, s, adam, adam2) == doctest::Approx(1.0));
  // The ends of a numeric range are at distance 1 too; the arc keeps values apart.
  CHECK(distance(map, s, sgd_low, sgd_high) == doctest::Approx(1.0));
  CHECK(distance(map, s, sgd_low, sgd_mid) > 0.4);
  CHECK(distance(map, s, sgd_low, sgd_mid) < 0.6);

  // Inactive vs active: the same distance whatever the active value (no invented trend).
  // rms vs sgd: optimizer block differs by 1, momentum block by rho = 1/sqrt2.
  const double low = distance(map, s, rms, sgd_low), high = distance(map, s, rms, sgd_high),
               mid = distance(map, s, rms, sgd_mid);
  CHECK(low == doctest::Approx(std::sqrt(1.0 + 0.5)));
  CHECK(high == doctest::Approx(low));
  CHECK(mid == doctest::Approx(low));
  // Inactive vs inactive: the parameter adds nothing (rms vs adam differ in optimizer and
  // schedule only).
  CHECK(distance(map, s, rms, adam) == doctest::Approx(std::sqrt(1.0 + 0.5)));
}

TEST_CASE("optimizers: GP training set keeps the best fifth and the most recent, failures last") {
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> values{5, 0.1, 7, 8, inf, 9, 0.2, 6, 4, 3};
  CHECK(select_training(values, 20).size() == 10);
  // cap 5: the best one (index 1), then the 4 most recent.
  CHECK(select_training(values, 5) == std::vector<std::size_t>{1, 6, 7, 8, 9});
  // Two old, good observations: cap 10 keeps them (the best two) and the 8 most recent.
  values.insert(values.begin(), {-1.0, -2.0});
  CHECK(select_training(values, 10) == std::vector<std::size_t>{0, 1, 4, 5, 6, 7, 8, 9, 10, 11});
  // Non-finite values rank last even for the "best" slots.
  CHECK(select_training({inf, NAN, 3.0, inf}, 2) == std::vector<std::size_t>{2, 3});
}

TEST_CASE("optimizers: GP targets: failures take the worst value, then standardized") {
  const Targets t = standardize({1.0, std::numeric_limits<double>::infinity(), 3.0, NAN});
  CHECK(t.worst == 3.0);
  REQUIRE(t.y.allFinite());
  CHECK(t.mean == doctest::Approx(2.5));
  CHECK(t.y.mean() == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(std::sqrt(t.y.array().square().mean()) == doctest::Approx(1.0));
  CHECK(t.y[1] == doctest::Approx(t.y[2]));
  CHECK(t.y[3] == doctest::Approx(t.y[2]));

  // Constant or all-failed: scale 1, no division by zero.
  const Targets same = standardize({2.0, 2.0});
  CHECK(same.scale == 1.0);
  CHECK(same.y.isZero());
  const Targets failed = standardize({NAN, std::numeric_limits<double>::infinity()});
  CHECK(failed.y.allFinite());
  CHECK(failed.y.isZero());
}
