// A seed fixes every value: the same engine state gives the same evaluations, runs repeat.
#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "problems/registry.hpp"

using namespace rungs;

namespace {

// Samples configurations and evaluates each at every level, all from one seed.
std::vector<double> trace(const problems::Problem& problem, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> values;
  for (int i = 0; i < 20; ++i) {
    const auto config = problem.space.sample(rng);
    for (std::size_t level = 0; level < problem.ladder.levels(); ++level)
      values.push_back(problem.evaluate(config, problem.ladder.at(level), rng));
    values.push_back(problem.at_epoch(config, 5, 27));
  }
  return values;
}

}  // namespace

TEST_CASE("determinism: the same seed gives the same values, another seed others") {
  for (const auto& problem : problems::all()) {
    CAPTURE(problem.name);
    CHECK(trace(problem, 1) == trace(problem, 1));
    CHECK(trace(problem, 1) != trace(problem, 2));
  }
}

TEST_CASE("determinism: Counting Ones' noise comes from the engine only, the others ignore it") {
  const auto& ones = problems::by_name("counting_ones_16");
  std::mt19937_64 sample_rng(3);
  const auto config = ones.space.sample(sample_rng);
  std::mt19937_64 a(42), b(42), c(43);
  const double va = ones.evaluate_at(config, 9, a);
  CHECK(va == ones.evaluate_at(config, 9, b));
  CHECK(a == b);  // same number of draws consumed
  // 8 continuous dimensions at 9 draws: another seed almost surely gives another value.
  double differs = 0;
  for (int i = 0; i < 5; ++i) differs += std::abs(ones.evaluate_at(config, 9, c) - va);
  CHECK(differs > 0);

  const auto& branin = problems::by_name("branin");
  std::mt19937_64 untouched(7), reference(7);
  branin.evaluate_at({{"x1", 1.0}, {"x2", 2.0}}, 0.5, untouched);
  CHECK(untouched == reference);
}
