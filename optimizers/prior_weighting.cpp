#include "optimizers/prior_weighting.hpp"

#include "space/sampling.hpp"

namespace rungs::optimizers {

space::Config sample_with_prior(const space::SearchSpace& space, std::mt19937_64& rng) {
  if (!space.has_prior()) return space.sample(rng);
  return space::uniform01(rng) < kPriorShare ? space.sample_prior(rng) : space.sample(rng);
}

double prior_exponent(const space::SearchSpace& space, std::size_t observations) {
  if (!space.has_prior() || observations == 0) return 0;
  return kPiboBeta / static_cast<double>(observations);
}

}  // namespace rungs::optimizers
