#pragma once
// Gaussian-process regression with a zero prior mean, a Matern 5/2 ARD kernel and Gaussian
// noise: the posterior, and the log marginal likelihood with its gradient for fitting.
//
// Rasmussen & Williams, "Gaussian Processes for Machine Learning" (MIT Press 2006),
// Algorithm 2.1 and section 5.4.1. With K = k(X, X) + sn2 I = L L^T, alpha = K^-1 y:
//
//   mean(x*)     = k*^T alpha                      k* = k(X, x*)
//   variance(x*) = k(x*, x*) - v^T v,  v = L^-1 k*  (the latent f, without noise)
//   log p(y|X)   = -1/2 y^T alpha - sum_i log L_ii - n/2 log 2 pi
//   d log p / d theta_j = 1/2 tr((alpha alpha^T - K^-1) dK/d theta_j)          (eq. 5.9)
//
// Targets are used as given: callers standardize them (mean 0, variance 1) so that a zero
// prior mean and a signal variance near 1 are sensible (gp_optimizer.cpp does).
//
// Cost: O(n^3) for the factorization (and for K^-1 in the gradient), O(n^2) per prediction.
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <stdexcept>
#include <vector>

#include "optimizers/gp/matern52.hpp"

namespace rungs::optimizers::gp {

// Thrown when K + noise stays numerically indefinite even after adding jitter.
class NumericalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Everything the model is fitted over.
struct Hyperparameters {
  Eigen::VectorXd length_scales;  // one per length-scale group (matern52.hpp)
  double signal_variance = 1;
  double noise_variance = 1e-6;

  // (log l_0, ..., log l_{G-1}, log s2, log sn2): the fit's coordinates.
  Eigen::VectorXd to_log() const;
  static Hyperparameters from_log(const Eigen::VectorXd& theta);
};

class GpModel {
 public:
  // Conditions the GP on the rows of X (n x features) and targets y (n), and factorizes
  // K + sn2 I. If Eigen's LLT fails (duplicates, extreme length scales), adds jitter
  // 1e-8 s2, then ten times more, up to 1e-2 s2, and gives up with NumericalError.
  // Throws std::invalid_argument on mismatched sizes or n = 0.
  GpModel(Eigen::MatrixXd x, Eigen::VectorXd y, const Hyperparameters& hyperparameters,
          std::vector<Eigen::Index> groups);

  struct Prediction {
    Eigen::VectorXd mean;
    Eigen::VectorXd variance;  // of the latent function, >= 0
  };
  // At the rows of `points` (m x features).
  Prediction predict(const Eigen::MatrixXd& points) const;

  double log_marginal_likelihood() const;
  // d log p(y|X) / d Hyperparameters::to_log(): size groups + 2.
  Eigen::VectorXd log_marginal_likelihood_gradient() const;

  const Matern52& kernel() const { return kernel_; }
  const Hyperparameters& hyperparameters() const { return hyperparameters_; }
  // Extra diagonal the factorization needed (0 almost always).
  double jitter() const { return jitter_; }
  Eigen::Index size() const { return x_.rows(); }

 private:
  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  Hyperparameters hyperparameters_;
  Matern52 kernel_;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;
  double jitter_ = 0;
};

}  // namespace rungs::optimizers::gp
