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
  return sample_with_prior(space_, rng);
}

}  // namespace rungs::optimizers
