// The problems' known optima: the published minimizers reach them, nothing sampled beats them.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <numbers>
#include <random>
#include <stdexcept>
#include <string>

#include "problems/augmented_branin.hpp"
#include "problems/augmented_hartmann6.hpp"
#include "problems/counting_ones.hpp"
#include "problems/registry.hpp"

using namespace rungs;
using problems::by_name;

namespace {

space::Config branin_point(double x1, double x2) { return {{"x1", x1}, {"x2", x2}}; }

space::Config hartmann_point(const std::array<double, 6>& x) {
  space::Config config;
  for (std::size_t j = 0; j < 6; ++j) config[fmt::format("x{}", j)] = x[j];
  return config;
}

space::Config counting_ones_point(std::size_t n_cat, std::size_t n_cont, const std::string& cat, double cont) {
  space::Config config;
  for (std::size_t i = 0; i < n_cat; ++i) config[fmt::format("cat{}", i)] = cat;
  for (std::size_t j = 0; j < n_cont; ++j) config[fmt::format("cont{}", j)] = cont;
  return config;
}

}  // namespace

TEST_CASE("problems: the registry lists the four problems and rejects unknown names") {
  CHECK(problems::names() == std::vector<std::string>{"counting_ones_8", "counting_ones_16", "branin", "hartmann6"});
  CHECK(by_name("branin").space.dimension() == 2);
  CHECK(by_name("hartmann6").space.dimension() == 6);
  CHECK(by_name("counting_ones_8").space.dimension() == 8);
  CHECK(by_name("counting_ones_16").space.dimension() == 16);
  CHECK(&by_name("branin") == &by_name("branin"));  // built once
  try {
    by_name("rosenbrock");
    FAIL("expected an exception");
  } catch (const std::invalid_argument& error) {
    CHECK(std::string(error.what()) == "unknown problem 'rosenbrock' (known: counting_ones_8, counting_ones_16, branin, hartmann6)");
  }
}

TEST_CASE("problems: Branin's three minimizers give 0.397887 at s = 1") {
  const auto& branin = by_name("branin");
  std::mt19937_64 rng(1);
  for (const auto& [x1, x2] : {std::pair{-std::numbers::pi, 12.275}, std::pair{std::numbers::pi, 2.275},
                               std::pair{9.42478, 2.475}}) {
    CAPTURE(x1);
    CHECK(problems::augmented_branin(x1, x2, 1.0) == doctest::Approx(0.397887).epsilon(1e-6));
    CHECK(branin.evaluate_at(branin_point(x1, x2), 1.0, rng) == doctest::Approx(branin.optimum).epsilon(1e-6));
    CHECK(branin.regret(branin_point(x1, x2)) == doctest::Approx(0).epsilon(1e-6).scale(1));
  }
  CHECK(branin.optimum == doctest::Approx(0.397887).epsilon(1e-6));
  CHECK(branin.full_fidelity() == 1.0);
}

TEST_CASE("problems: Hartmann-6's minimizer gives -3.32237 at s = 1") {
  const auto& hartmann = by_name("hartmann6");
  std::mt19937_64 rng(1);
  CHECK(problems::augmented_hartmann6(problems::kHartmann6Minimizer, 1.0) == doctest::Approx(-3.32237).epsilon(1e-6));
  CHECK(hartmann.true_value(hartmann_point(problems::kHartmann6Minimizer)) ==
        doctest::Approx(hartmann.optimum).epsilon(1e-7));
  CHECK(hartmann.evaluate(hartmann_point(problems::kHartmann6Minimizer), hartmann.ladder.at(4), rng) ==
        doctest::Approx(-3.32237).epsilon(1e-6));
}

TEST_CASE("problems: Counting Ones' optimum is all ones, at every budget") {
  for (const auto& [name, n] : {std::pair{"counting_ones_8", std::size_t{4}}, std::pair{"counting_ones_16", std::size_t{8}}}) {
    CAPTURE(name);
    const auto& problem = by_name(name);
    CHECK(problem.optimum == -2.0 * static_cast<double>(n));
    std::mt19937_64 rng(3);
    const auto ones = counting_ones_point(n, n, "1", 1.0);
    const auto zeros = counting_ones_point(n, n, "0", 0.0);
    for (std::size_t level = 0; level < problem.ladder.levels(); ++level) {
      CHECK(problem.evaluate(ones, problem.ladder.at(level), rng) == problem.optimum);  // Bernoulli(1) is always 1
      CHECK(problem.evaluate(zeros, problem.ladder.at(level), rng) == 0.0);
    }
    CHECK(problem.true_value(ones) == problem.optimum);
    CHECK(problem.regret(zeros) == 2.0 * static_cast<double>(n));
    CHECK(problem.full_fidelity() == 729);
  }
}

TEST_CASE("problems: no sampled configuration beats the optimum, at any level") {
  for (const auto& problem : problems::all()) {
    CAPTURE(problem.name);
    std::mt19937_64 rng(11);
    double best = std::numeric_limits<double>::infinity();
    for (int i = 0; i < 2000; ++i) {
      const auto config = problem.space.sample(rng);
      const double value = problem.true_value(config);
      best = std::min(best, value);
      CHECK(value >= problem.optimum - 1e-9);
      CHECK(value <= problem.curve_start);  // curves start at or above every final value
    }
    CHECK(best - problem.optimum < 0.5 * (problem.curve_start - problem.optimum));  // and the optimum is reachable
  }
}

TEST_CASE("problems: the ladders are the documented ones") {
  const auto& ones = by_name("counting_ones_8").ladder;
  REQUIRE(ones.levels() == 5);
  for (std::size_t k = 0; k < 5; ++k) {
    CHECK(ones.at(k).units == doctest::Approx(9 * std::pow(3.0, k)));
    CHECK(ones.at(k).values.at("draws") == 9 * std::pow(3.0, k));
  }
  const auto& branin = by_name("branin").ladder;
  REQUIRE(branin.levels() == 5);
  for (std::size_t k = 0; k < 5; ++k) {
    CHECK(branin.at(k).units == doctest::Approx(std::pow(3.0, k)));
    CHECK(branin.at(k).values.at("s") == 0.25 * static_cast<double>(k));
  }
}

TEST_CASE("problems: evaluate rejects a budget without the fidelity dimension and invalid configs") {
  const auto& branin = by_name("branin");
  std::mt19937_64 rng(1);
  CHECK_THROWS_AS(branin.evaluate(branin_point(0, 0), fidelity::Budget{0, 1, {{"epochs", 3}}}, rng),
                  std::invalid_argument);
  CHECK_THROWS_AS(branin.evaluate_at(branin_point(0, 0), 1.5, rng), std::invalid_argument);
  CHECK_THROWS_AS(branin.true_value(branin_point(11, 0)), space::SpaceError);
  CHECK_THROWS_AS(branin.true_value({{"x1", 0.0}}), space::SpaceError);
  CHECK_THROWS_AS(by_name("counting_ones_8").evaluate_at(counting_ones_point(4, 4, "1", 1.0), 0, rng),
                  std::invalid_argument);
}
