#include "optimizers/prior_weighting.hpp"

#include <algorithm>
#include <cmath>

#include "space/sampling.hpp"

namespace rungs::optimizers {

space::Config sample_with_prior(const space::SearchSpace& space, std::mt19937_64& rng, double share, bool* from_prior) {
  const bool prior = space.has_prior() && space::uniform01(rng) < share;
  if (from_prior) *from_prior = prior;
  return prior ? space.sample_prior(rng) : space.sample(rng);
}

double log_search_prior(const space::SearchSpace& space, const double* encoded) {
  if (!space.has_prior()) return 0;
  // log(share e^lp + (1 - share)), without overflow for a large lp.
  const double lp = space.log_prior(encoded) + std::log(kPriorShare);
  const double rest = std::log1p(-kPriorShare);
  const double top = std::max(lp, rest);
  return top + std::log1p(std::exp(std::min(lp, rest) - top));
}

double prior_exponent(const space::SearchSpace& space, std::size_t observations) {
  if (!space.has_prior() || observations == 0) return 0;
  return kPiboBeta / static_cast<double>(observations);
}

}  // namespace rungs::optimizers
