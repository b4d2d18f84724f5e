#pragma once
// Matern 5/2 covariance with automatic relevance determination (ARD): one length scale per
// input group, and a signal variance.
//
//   k(x, x') = s2 (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r),
//   r^2      = sum_f (x_f - x'_f)^2 / l_{g(f)}^2.
//
// Rasmussen & Williams, "Gaussian Processes for Machine Learning" (MIT Press 2006), eq. 4.17.
// Snoek, Larochelle & Adams, "Practical Bayesian Optimization of Machine Learning Algorithms"
// (NeurIPS 2012) argue for it over the squared exponential in hyperparameter optimization:
// its samples are twice differentiable, not infinitely smooth, which suits loss surfaces.
//
// Length-scale groups. Feature f uses length scale l_{g(f)}; plain ARD is g(f) = f. The GP
// optimizer maps one hyperparameter to several features (a one-hot block, the two coordinates
// of a conditional value: gp_encoding.hpp) and gives them one shared length scale, so
// relevance is learned per hyperparameter, and distances inside a group keep their geometry.
//
// Parameters are handled in log space, theta = (log l_0, ..., log l_{G-1}, log s2): all
// positive, and a gradient step means the same relative change at any scale. With
// d = x - x' and D_g = sum_{f in g} d_f^2 / l_g^2 (so r^2 = sum_g D_g):
//
//   dk/d log s2  = k
//   dk/d log l_g = 5/3 s2 (1 + sqrt5 r) exp(-sqrt5 r) D_g
//
// from dk/dr = -5/3 s2 r (1 + sqrt5 r) exp(-sqrt5 r) and dr/d log l_g = -D_g / r: the r's
// cancel, so the formula holds at r = 0 as well (where it is 0).
#include <Eigen/Core>

#include <vector>

namespace rungs::optimizers::gp {

class Matern52 {
 public:
  // Plain ARD: one length scale per feature. Throws std::invalid_argument on a non-positive
  // or non-finite length scale or signal variance.
  Matern52(Eigen::VectorXd length_scales, double signal_variance);
  // Feature f uses length_scales[groups[f]]. Throws std::invalid_argument as above, or when a
  // group index is out of range.
  Matern52(Eigen::VectorXd length_scales, double signal_variance, std::vector<Eigen::Index> groups);
  // From theta = (log l_0, ..., log l_{G-1}, log s2); groups as above.
  static Matern52 from_log_params(const Eigen::VectorXd& theta, std::vector<Eigen::Index> groups);

  Eigen::Index features() const { return static_cast<Eigen::Index>(groups_.size()); }
  Eigen::Index groups() const { return length_scales_.size(); }
  const std::vector<Eigen::Index>& feature_groups() const { return groups_; }
  const Eigen::VectorXd& length_scales() const { return length_scales_; }
  double signal_variance() const { return signal_variance_; }
  // theta, size groups() + 1.
  Eigen::VectorXd log_params() const;

  // k(a, b) for two points of features() coordinates.
  double operator()(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const;
  // dk(a, b)/d theta, size groups() + 1.
  Eigen::VectorXd gradient(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const;

  // K_ij = k(A_i, B_j) for the ROWS of A (n x features) and B (m x features): n x m.
  Eigen::MatrixXd cross(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const;
  // K = cross(X, X), exactly symmetric with s2 on the diagonal.
  Eigen::MatrixXd gram(const Eigen::MatrixXd& x) const;
  // sum_ij W_ij dK_ij/d theta for K = gram(X), size groups() + 1: the trace term of the
  // log-marginal-likelihood gradient, 0.5 tr(W dK), without forming one n x n derivative
  // matrix per parameter. O(n^2 features).
  Eigen::VectorXd gram_gradient_dot(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const;

  // k(r) / s2 = (1 + sqrt5 r + 5/3 r^2) exp(-sqrt5 r).
  static double shape(double r);

 private:
  // Rows of X divided by their features' length scales: r = distance of scaled rows.
  Eigen::MatrixXd scaled(const Eigen::MatrixXd& x) const;

  Eigen::VectorXd length_scales_;
  double signal_variance_;
  std::vector<Eigen::Index> groups_;
};

}  // namespace rungs::optimizers::gp
