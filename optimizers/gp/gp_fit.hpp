#pragma once
// Fitting the GP's hyperparameters (type-II maximum likelihood, Rasmussen & Williams ch. 5):
// maximize  log p(y | X, theta) + log p(theta)  over theta = log(l_0..l_{G-1}, s2, sn2),
// with the analytic gradient (gp_model.hpp), by L-BFGS (lbfgs.hpp) from a few starts.
//
// Bounds. Each log parameter lives in a box: theta_i = lo_i + (hi_i - lo_i) sigmoid(u_i),
// and L-BFGS runs on u, unconstrained. The defaults suit standardized targets on features in
// [0,1]: length scales in [1e-2, 1e1] (below 1e-2 the unit cube looks like isolated points,
// above 10 a feature is irrelevant), s2 in [1e-2, 1e2], noise in [1e-6, 1] (1e-6 is the
// jitter floor: exact interpolation of noisy losses makes the posterior wiggle).
//
// Weak prior. With few points the likelihood is flat or maximized at a degenerate corner
// (everything noise, or every point its own bump). Independent log-normal priors, wide enough
// to be overruled by a few dozen points, pull towards the middle:
//   log l ~ N(log 0.5, 1.5^2),  log s2 ~ N(0, 1.5^2),  log sn2 ~ N(log 1e-2, 3^2).
//
// Starts. The first from `start` (warm start: the previous fit, clamped into the box), the
// others drawn log-uniformly in the box from `rng`: deterministic for an engine state.
#include <Eigen/Core>

#include <cstddef>
#include <random>
#include <vector>

#include "optimizers/gp/gp_model.hpp"

namespace rungs::optimizers::gp {

struct FitOptions {
  double min_length_scale = 1e-2;
  double max_length_scale = 1e1;
  double min_signal_variance = 1e-2;
  double max_signal_variance = 1e2;
  double min_noise_variance = 1e-6;
  double max_noise_variance = 1;
  std::size_t restarts = 3;  // starts in all, the warm start included
  int iterations = 30;       // L-BFGS iterations per start (hyperparameters need no precision)
  bool prior = true;
};

struct FitResult {
  Hyperparameters hyperparameters;
  double log_marginal_likelihood = 0;
  double objective = 0;  // log_marginal_likelihood + log prior (or without it)
  int evaluations = 0;   // factorizations done
};

// log p(theta) of the weak prior above (up to a constant), and its gradient in to_log()
// coordinates.
double log_prior(const Hyperparameters& hyperparameters, Eigen::VectorXd* gradient = nullptr);

// `start` fixes the number of length-scale groups; `groups` maps features to them.
// Returns the best start's result; if no start can be evaluated (NumericalError throughout),
// returns `start` clamped into the box with objective -inf.
FitResult fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                              const std::vector<Eigen::Index>& groups, const Hyperparameters& start,
                              const FitOptions& options, std::mt19937_64& rng);

}  // namespace rungs::optimizers::gp
