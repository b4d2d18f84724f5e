#pragma once
// Settings of the Gaussian-process optimizer (gp_optimizer.hpp), with their defaults.
// Every field is checked when the optimizer is built (validate below).
#include <cstddef>

#include "optimizers/gp/acquisition.hpp"

namespace rungs::optimizers {

struct GpSettings {
  // Expected Improvement (default) or the lower confidence bound mu - kappa sigma.
  GpAcquisition acquisition = GpAcquisition::expected_improvement;
  // EI's margin: improvement counts beyond f* - xi. In standardized target units (targets have
  // standard deviation 1), so 0.01 means 1% of the observed spread. >= 0.
  double xi = 0.01;
  // LCB's weight on the standard deviation. >= 0; 2 is about a 98% one-sided bound.
  double kappa = 2.0;
  // Share of suggestions drawn at random even when a model exists (BOHB's guard against a
  // misleading model; BOHB uses 1/3 with its weaker TPE model). In [0, 1].
  double random_fraction = 0.1;
  // Random candidates scored per suggestion before the local search. >= 1.
  std::size_t candidates = 1000;
  // Rounds of local search around the best candidates (acquisition_search.hpp). 0 = none.
  std::size_t local_search_steps = 20;
  // Observations a budget level needs before it is modeled; until some level has them,
  // suggestions are random. 0 = automatic: the number of parameters + 3, one more than the
  // G + 2 hyperparameters the fit estimates (a length scale per parameter, signal, noise),
  // and BOHB's N_min + 2 with N_min = d + 1. Otherwise >= 2.
  std::size_t min_points = 0;
  // Training-set cap per model (training_set.hpp: the best max_points / 5, then the most
  // recent). Bounds a suggestion's cost by O(max_points^3). >= 2, and >= min_points.
  std::size_t max_points = 500;
  // Hyperparameters are refitted after this many new observations at the modeled level and
  // reused in between (the posterior itself is always recomputed on all current data). >= 1.
  std::size_t refit_every = 10;
  // L-BFGS starts per refit: the previous fit plus restarts - 1 random ones. >= 1.
  std::size_t restarts = 3;
  // The refit runs on at most this many of the training points (same selection rule): each
  // of its ~100 likelihood evaluations needs K^-1, O(n^3), and 100 points pin down the dozen
  // hyperparameters of a typical space well. >= 2.
  std::size_t fit_points = 100;
};

// Throws std::invalid_argument naming the first bad field and its value.
void validate(const GpSettings& settings);

}  // namespace rungs::optimizers
