#include "optimizers/random_search.hpp"

#include <random>

#include "optimizers/prior_weighting.hpp"

namespace rungs::optimizers {

RandomSearch::RandomSearch(const space::SearchSpace& space, std::uint64_t seed,
                           std::uint64_t already_suggested)
    : space_(space), seed_(seed), suggested_(already_suggested) {}

space::Config RandomSearch::suggest(const fidelity::Budget&) {
  // std::seed_seq's mixing is specified by the standard, so (seed, n) gives the same engine
  // state, hence the same configuration, on every platform.
  const auto low = [](std::uint64_t x) { return static_cast<std::uint32_t>(x); };
  const auto high = [](std::uint64_t x) { return static_cast<std::uint32_t>(x >> 32); };
  std::seed_seq seq{low(seed_), high(seed_), low(suggested_), high(suggested_)};
  std::mt19937_64 rng(seq);
  ++suggested_;
  if (!space_.has_prior()) return space_.sample(rng);
  bool from_prior = false;
  auto config = sample_with_prior(space_, rng, evidence_.share(), &from_prior);
  evidence_.drawn(space_.encode(config), from_prior);
  return config;
}

void RandomSearch::observe(const space::Config& config, const fidelity::Budget& budget, double value) {
  if (space_.has_prior()) evidence_.observed(space_.encode(config), budget.level, value);
}

}  // namespace rungs::optimizers
