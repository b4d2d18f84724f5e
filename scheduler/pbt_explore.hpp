#pragma once
// Population-based training's explore step (Jaderberg et al. 2017, "Population Based Training
// of Neural Networks", sec. 3.2 and 4.1: "perturb" and "resample"), with Ray Tune's
// PopulationBasedTraining as the reference for the details. Called by Pbt (pbt.hpp) when a
// member in the bottom quantile takes over a top member's weights: the new configuration is
// the top member's, explored.
//
// Per parameter, in the space's sampling order (parents first), on the configuration being
// built (so that conditions read the new parent values):
//  - inactive under the new parent values: removed (a Config holds active parameters only);
//  - active but absent from the donor (it just became active): sampled from its domain;
//  - otherwise, with probability resample_probability: resampled from its domain
//    (log-uniform for log parameters, space/sampling.hpp); else
//      float: value x f, f drawn from {perturb_low, perturb_high} with equal chance, clipped
//             to [low, high]. Log parameters too are perturbed in value (x 0.8 or x 1.2), as
//             Ray Tune does: a constant factor is a constant step on the log scale;
//      int:   round(value x f), clipped; a factor that rounds back to the same value moves
//             it one step in the factor's direction (else small integers could never move);
//      categorical: kept (unordered choices have no neighbour to move to; they change
//             through resampling only).
// Deterministic in the engine's state: the same engine state gives the same result.
#include <random>

#include "space/config.hpp"
#include "space/search_space.hpp"

namespace rungs::scheduler {

struct ExploreOptions {
  double perturb_low = 0.8;
  double perturb_high = 1.2;
  double resample_probability = 0.25;
};

// Throws std::invalid_argument for factors that are not positive and finite, or a
// probability outside [0, 1]. (Pbt checks its options with it at construction.)
void check_explore_options(const ExploreOptions& options);

// The explored configuration (see above): valid in `space` whenever `donor` is.
space::Config explore(const space::SearchSpace& space, const space::Config& donor, const ExploreOptions& options,
                      std::mt19937_64& rng);

}  // namespace rungs::scheduler
