#pragma once
// Random search: every suggestion is an independent draw from the search space (uniform,
// log-uniform for log-scale parameters, conditional parameters only when active), whatever
// the budget and whatever was observed. With priors, half the draws come from them
// (optimizers/prior_weighting.hpp) until the results say the prior's draws rank no better
// than the others (optimizers/prior_evidence.hpp). The baseline every model-based optimizer must beat,
// and what Hyperband was introduced with (Li et al., JMLR 2018).
#include <cstdint>

#include "optimizers/optimizer.hpp"
#include "optimizers/prior_evidence.hpp"
#include "space/search_space.hpp"

namespace rungs::optimizers {

class RandomSearch final : public Optimizer {
 public:
  // Copies the space. The n-th suggestion (counting from 0) depends only on (seed, n), not on
  // earlier draws: a campaign restarted after a crash that knows it had made n suggestions
  // passes `already_suggested = n` and continues the very sequence it would have produced.
  RandomSearch(const space::SearchSpace& space, std::uint64_t seed,
               std::uint64_t already_suggested = 0);

  space::Config suggest(const fidelity::Budget& budget) override;
  // Random search learns nothing, but how the prior's draws fare (with priors only).
  void observe(const space::Config& config, const fidelity::Budget& budget, double value) override;

  std::uint64_t suggested() const { return suggested_; }

 private:
  space::SearchSpace space_;
  std::uint64_t seed_;
  std::uint64_t suggested_;
  PriorEvidence evidence_;
};

}  // namespace rungs::optimizers
