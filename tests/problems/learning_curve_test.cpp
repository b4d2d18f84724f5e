// The learning-curve view: from curve_start to the full-fidelity value, at a speed that
// depends on the configuration, so that curves cross.
#include <doctest/doctest.h>

#include <random>
#include <stdexcept>

#include "problems/learning_curve.hpp"
#include "problems/registry.hpp"

using namespace rungs;

TEST_CASE("learning curve: starts at curve_start, ends exactly at the full-fidelity value, monotone") {
  for (const auto& problem : problems::all()) {
    CAPTURE(problem.name);
    std::mt19937_64 rng(21);
    for (int i = 0; i < 50; ++i) {
      const auto config = problem.space.sample(rng);
      const double final_value = problem.true_value(config);
      CHECK(problem.at_epoch(config, 0, 27) == doctest::Approx(problem.curve_start));
      CHECK(problem.at_epoch(config, 27, 27) == final_value);
      CHECK(problem.at_epoch(config, 100, 27) == final_value);  // clamped
      double previous = problem.at_epoch(config, 0, 27);
      for (int epoch = 1; epoch <= 27; ++epoch) {
        const double value = problem.at_epoch(config, epoch, 27);
        CHECK(value <= previous + 1e-12);
        CHECK(value >= final_value - 1e-12);
        previous = value;
      }
    }
  }
}

TEST_CASE("learning curve: the formula, and speeds spread over [k_min, k_max]") {
  CHECK(problems::learning_curve(10, 2, 1, 0) == 10);
  CHECK(problems::learning_curve(10, 2, 1, 1) == 2);
  const double k = 3, t = 0.4;
  CHECK(problems::learning_curve(10, 2, k, t) ==
        doctest::Approx(2 + 8 * (std::exp(-k * t) - std::exp(-k)) / (1 - std::exp(-k))));

  const auto& problem = problems::by_name("hartmann6");
  std::mt19937_64 rng(8);
  double lowest = 1e9, highest = 0;
  for (int i = 0; i < 500; ++i) {
    const double speed = problems::curve_speed(problem.space.encode(problem.space.sample(rng)));
    CHECK(speed >= problems::kMinCurveSpeed);
    CHECK(speed <= problems::kMaxCurveSpeed);
    lowest = std::min(lowest, speed);
    highest = std::max(highest, speed);
  }
  CHECK(lowest < 1);
  CHECK(highest > 10);
}

TEST_CASE("learning curve: for every problem some curves cross (early ranking != final ranking)") {
  for (const auto& problem : problems::all()) {
    CAPTURE(problem.name);
    std::mt19937_64 rng(13);
    std::vector<space::Config> configs;
    for (int i = 0; i < 60; ++i) configs.push_back(problem.space.sample(rng));
    int crossing = 0, pairs = 0;
    for (std::size_t a = 0; a < configs.size(); ++a) {
      for (std::size_t b = a + 1; b < configs.size(); ++b) {
        const double final_a = problem.at_epoch(configs[a], 27, 27), final_b = problem.at_epoch(configs[b], 27, 27);
        const double early_a = problem.at_epoch(configs[a], 3, 27), early_b = problem.at_epoch(configs[b], 3, 27);
        ++pairs;
        if ((final_a < final_b) != (early_a < early_b)) ++crossing;
      }
    }
    CAPTURE(crossing);
    CHECK(crossing > pairs / 20);  // a real share of pairs swap ...
    CHECK(crossing < pairs / 2);   // ... but early values still carry information
  }
}

TEST_CASE("learning curve: bad arguments") {
  const auto& problem = problems::by_name("branin");
  const space::Config config{{"x1", 1.0}, {"x2", 2.0}};
  CHECK_THROWS_AS(problem.at_epoch(config, 1, 0), std::invalid_argument);
  CHECK_THROWS_AS(problem.at_epoch(config, 1, -3), std::invalid_argument);
  CHECK_THROWS_AS(problem.at_epoch({{"x1", 1.0}}, 1, 27), space::SpaceError);
}
