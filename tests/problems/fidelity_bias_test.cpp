// What lower fidelity does: a bias that vanishes as s -> 1 (Branin, Hartmann-6), noise that
// shrinks with the number of draws but no bias (Counting Ones).
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <numbers>
#include <random>

#include "problems/augmented_branin.hpp"
#include "problems/augmented_hartmann6.hpp"
#include "problems/registry.hpp"
#include "space/sampling.hpp"

using namespace rungs;

namespace {

// Mean |f(x, s) - f(x, 1)| over `n` configurations sampled with `seed`.
double mean_bias(const problems::Problem& problem, double s, int n = 300) {
  std::mt19937_64 rng(5), unused(0);
  double sum = 0;
  for (int i = 0; i < n; ++i) {
    const auto config = problem.space.sample(rng);
    sum += std::abs(problem.evaluate_at(config, s, unused) - problem.true_value(config));
  }
  return sum / n;
}

}  // namespace

TEST_CASE("fidelity: Branin and Hartmann-6 are biased at low s, less so at each level, unbiased at s = 1") {
  for (const char* name : {"branin", "hartmann6"}) {
    CAPTURE(name);
    const auto& problem = problems::by_name(name);
    double previous = std::numeric_limits<double>::infinity();
    for (std::size_t level = 0; level < problem.ladder.levels(); ++level) {
      const double s = problem.ladder.at(level).values.at("s");
      const double bias = mean_bias(problem, s);
      CAPTURE(s);
      CHECK(bias < previous);
      if (s < 1) CHECK(bias > 1e-4);
      else CHECK(bias == 0.0);
      previous = bias;
    }
  }
}

TEST_CASE("fidelity: the bias shrinks linearly as s -> 1") {
  std::mt19937_64 rng(9);
  const auto& branin = problems::by_name("branin");
  for (int i = 0; i < 20; ++i) {
    const auto config = branin.space.sample(rng);
    const double x1 = std::get<double>(config.at("x1")), x2 = std::get<double>(config.at("x2"));
    const double f1 = problems::augmented_branin(x1, x2, 1);
    // f(s) - f(1) = d (2 q + d) with d = 0.1 (1 - s) x1^2: O(1 - s).
    for (double gap : {1e-2, 1e-4, 1e-6}) {
      const double slope = std::abs(problems::augmented_branin(x1, x2, 1 - gap) - f1) / gap;
      CHECK(slope < 2 * 0.1 * 100 * (std::abs(x2) + 0.13 * 100 + 5 * 10 / std::numbers::pi + 6) + 1e3 * gap);
    }
  }
  // Hartmann-6: |f(x, s) - f(x, 1)| = 0.1 (1 - s) exp(-inner_1) <= 0.1 (1 - s), decreasing in s.
  for (int i = 0; i < 50; ++i) {
    std::array<double, 6> x{};
    for (auto& xj : x) xj = space::uniform01(rng);
    double previous = std::numeric_limits<double>::infinity();
    for (double s : {0.0, 0.25, 0.5, 0.75, 0.99, 1.0}) {
      const double bias = std::abs(problems::augmented_hartmann6(x, s) - problems::augmented_hartmann6(x, 1));
      CHECK(bias <= 0.1 * (1 - s) + 1e-15);
      CHECK(bias <= previous);
      previous = bias;
    }
  }
}

TEST_CASE("fidelity: at low s Branin's minimizers move") {
  for (double x1 : {-std::numbers::pi, std::numbers::pi}) {
    const double x2 = x1 < 0 ? 12.275 : 2.275;
    const double d = 0.1 * x1 * x1;  // s = 0
    CHECK(problems::augmented_branin(x1, x2, 0) == doctest::Approx(problems::kBraninOptimum + d * d).epsilon(1e-5));
    CHECK(problems::augmented_branin(x1, x2, 0) > problems::kBraninOptimum + 0.9);
  }
  // ... the minimizers moved: with b(s) = 5.1 / (4 pi^2) - 0.1 (1 - s), the square vanishes on
  // x2 = b(s) x1^2 - 5 x1 / pi + 6, so (pi, b(0) pi^2 + 1) attains the same minimum at s = 0.
  const double pi = std::numbers::pi;
  const double b0 = 5.1 / (4 * pi * pi) - 0.1;
  CHECK(problems::augmented_branin(pi, b0 * pi * pi + 1, 0) == doctest::Approx(problems::kBraninOptimum).epsilon(1e-9));
  CHECK(problems::augmented_branin(pi, b0 * pi * pi + 1, 1) > problems::kBraninOptimum + 0.9);
}

TEST_CASE("fidelity: Counting Ones is unbiased, and its noise shrinks with the number of draws") {
  const auto& problem = problems::by_name("counting_ones_8");
  std::mt19937_64 sample_rng(2);
  const auto config = problem.space.sample(sample_rng);
  const double expected = problem.true_value(config);
  const auto moments = [&](double draws) {
    std::mt19937_64 rng(4);
    double sum = 0, sum2 = 0;
    const int n = 400;
    for (int i = 0; i < n; ++i) {
      const double v = problem.evaluate_at(config, draws, rng);
      sum += v, sum2 += v * v;
    }
    const double mean = sum / n;
    return std::pair{mean, sum2 / n - mean * mean};
  };
  // Var = sum_j p_j (1 - p_j) / b.
  double variance_one_draw = 0;
  for (std::size_t j = 0; j < 4; ++j) {
    const double p = std::get<double>(config.at(fmt::format("cont{}", j)));
    variance_one_draw += p * (1 - p);
  }
  const auto [mean9, var9] = moments(9);
  const auto [mean729, var729] = moments(729);
  CHECK(mean9 == doctest::Approx(expected).epsilon(0.02).scale(1));  // sd of the mean: ~0.02
  CHECK(mean729 == doctest::Approx(expected).epsilon(0.003).scale(1));
  CHECK(var9 == doctest::Approx(variance_one_draw / 9).epsilon(0.2));
  CHECK(var729 == doctest::Approx(variance_one_draw / 729).epsilon(0.2));
  CHECK(var729 < var9 / 20);
}
