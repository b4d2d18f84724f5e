#include "optimizers/gp/gp_model.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

namespace rungs::optimizers::gp {

Eigen::VectorXd Hyperparameters::to_log() const {
  const Eigen::Index g = length_scales.size();
  Eigen::VectorXd theta(g + 2);
  theta.head(g) = length_scales.array().log().matrix();
  theta[g] = std::log(signal_variance);
  theta[g + 1] = std::log(noise_variance);
  return theta;
}

Hyperparameters Hyperparameters::from_log(const Eigen::VectorXd& theta) {
  if (theta.size() < 2) throw std::invalid_argument("Hyperparameters: fewer than 2 log parameters");
  const Eigen::Index g = theta.size() - 2;
  return {theta.head(g).array().exp().matrix(), std::exp(theta[g]), std::exp(theta[g + 1])};
}

GpModel::GpModel(Eigen::MatrixXd x, Eigen::VectorXd y, const Hyperparameters& hyperparameters,
                 std::vector<Eigen::Index> groups)
    : x_(std::move(x)),
      y_(std::move(y)),
      hyperparameters_(hyperparameters),
      kernel_(hyperparameters.length_scales, hyperparameters.signal_variance, std::move(groups)) {
  if (x_.rows() == 0) throw std::invalid_argument("GpModel: no training points");
  if (x_.rows() != y_.size())
    throw std::invalid_argument(fmt::format("GpModel: {} points but {} targets", x_.rows(), y_.size()));
  if (!(hyperparameters_.noise_variance >= 0) || !std::isfinite(hyperparameters_.noise_variance))
    throw std::invalid_argument(
        fmt::format("GpModel: noise variance is {}; it must be finite and >= 0", hyperparameters_.noise_variance));

  Eigen::MatrixXd k = kernel_.gram(x_);
  k.diagonal().array() += hyperparameters_.noise_variance;
  llt_.compute(k);
  // Jitter ladder: a kernel matrix is positive semi-definite in exact arithmetic, so a failed
  // factorization is rounding (near-duplicate points with tiny noise); a little diagonal fixes
  // it without changing the fit noticeably.
  for (double jitter = 1e-8; llt_.info() != Eigen::Success; jitter *= 10) {
    if (jitter > 1.5e-2)
      throw NumericalError("GpModel: K + noise is not positive definite even with jitter 1e-2 s2");
    jitter_ = jitter * hyperparameters_.signal_variance;
    Eigen::MatrixXd kj = k;
    kj.diagonal().array() += jitter_;
    llt_.compute(kj);
  }
  alpha_ = llt_.solve(y_);
  if (!alpha_.allFinite()) throw NumericalError("GpModel: non-finite weights (are the targets finite?)");
}

GpModel::Prediction GpModel::predict(const Eigen::MatrixXd& points) const {
  Eigen::MatrixXd ks = kernel_.cross(x_, points);  // n x m
  Prediction p;
  p.mean = ks.transpose() * alpha_;
  llt_.matrixL().solveInPlace(ks);  // v = L^-1 k*, column by column
  p.variance = (kernel_.signal_variance() - ks.colwise().squaredNorm().array()).max(0.0).matrix().transpose();
  return p;
}

double GpModel::log_marginal_likelihood() const {
  const double log_det_half = llt_.matrixLLT().diagonal().array().log().sum();
  return -0.5 * y_.dot(alpha_) - log_det_half -
         0.5 * static_cast<double>(y_.size()) * std::log(2 * std::numbers::pi);
}

Eigen::VectorXd GpModel::log_marginal_likelihood_gradient() const {
  const Eigen::Index n = x_.rows();
  // W = alpha alpha^T - K^-1; gradient_j = 1/2 sum_ij W_ij dK_ij/d theta_j.
  Eigen::MatrixXd w = llt_.solve(Eigen::MatrixXd::Identity(n, n));
  w = alpha_ * alpha_.transpose() - w;
  const Eigen::VectorXd kernel_part = kernel_.gram_gradient_dot(x_, w);
  Eigen::VectorXd grad(kernel_part.size() + 1);
  grad.head(kernel_part.size()) = 0.5 * kernel_part;
  // dK/d log sn2 = sn2 I (the jitter is a fixed constant, not a parameter).
  grad[kernel_part.size()] = 0.5 * hyperparameters_.noise_variance * w.trace();
  return grad;
}

}  // namespace rungs::optimizers::gp
