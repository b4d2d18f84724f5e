#include "optimizers/gp/matern52.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace rungs::optimizers::gp {

namespace {

constexpr double kSqrt5 = 2.23606797749978969641;

std::vector<Eigen::Index> identity_groups(Eigen::Index n) {
  std::vector<Eigen::Index> groups(static_cast<std::size_t>(n));
  std::iota(groups.begin(), groups.end(), Eigen::Index{0});
  return groups;
}

// (1 + sqrt5 r) exp(-sqrt5 r): the factor of dk/d log l_g (without 5/3 s2 D_g).
double slope(double r) { return (1 + kSqrt5 * r) * std::exp(-kSqrt5 * r); }

}  // namespace

double Matern52::shape(double r) { return (1 + kSqrt5 * r + 5.0 / 3.0 * r * r) * std::exp(-kSqrt5 * r); }

Matern52::Matern52(Eigen::VectorXd length_scales, double signal_variance)
    : Matern52(length_scales, signal_variance, identity_groups(length_scales.size())) {}

Matern52::Matern52(Eigen::VectorXd length_scales, double signal_variance, std::vector<Eigen::Index> groups)
    : length_scales_(std::move(length_scales)), signal_variance_(signal_variance), groups_(std::move(groups)) {
  for (Eigen::Index g = 0; g < length_scales_.size(); ++g)
    if (!(length_scales_[g] > 0) || !std::isfinite(length_scales_[g]))
      throw std::invalid_argument(fmt::format("Matern52: length scale {} is {}; it must be positive and finite",
                                              g, length_scales_[g]));
  if (!(signal_variance_ > 0) || !std::isfinite(signal_variance_))
    throw std::invalid_argument(fmt::format("Matern52: signal variance is {}; it must be positive and finite",
                                            signal_variance_));
  for (std::size_t f = 0; f < groups_.size(); ++f)
    if (groups_[f] < 0 || groups_[f] >= length_scales_.size())
      throw std::invalid_argument(fmt::format("Matern52: feature {} uses length-scale group {}, but there are {}",
                                              f, groups_[f], length_scales_.size()));
}

Matern52 Matern52::from_log_params(const Eigen::VectorXd& theta, std::vector<Eigen::Index> groups) {
  if (theta.size() < 1) throw std::invalid_argument("Matern52: empty parameter vector");
  const Eigen::Index g = theta.size() - 1;
  return Matern52(theta.head(g).array().exp().matrix(), std::exp(theta[g]), std::move(groups));
}

Eigen::VectorXd Matern52::log_params() const {
  Eigen::VectorXd theta(groups() + 1);
  theta.head(groups()) = length_scales_.array().log().matrix();
  theta[groups()] = std::log(signal_variance_);
  return theta;
}

double Matern52::operator()(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const {
  double r2 = 0;
  for (Eigen::Index f = 0; f < features(); ++f) {
    const double d = (a[f] - b[f]) / length_scales_[groups_[static_cast<std::size_t>(f)]];
    r2 += d * d;
  }
  return signal_variance_ * shape(std::sqrt(r2));
}

Eigen::VectorXd Matern52::gradient(const Eigen::VectorXd& a, const Eigen::VectorXd& b) const {
  Eigen::VectorXd dg = Eigen::VectorXd::Zero(groups());  // D_g
  for (Eigen::Index f = 0; f < features(); ++f) {
    const Eigen::Index g = groups_[static_cast<std::size_t>(f)];
    const double d = (a[f] - b[f]) / length_scales_[g];
    dg[g] += d * d;
  }
  const double r = std::sqrt(dg.sum());
  Eigen::VectorXd grad(groups() + 1);
  grad.head(groups()) = 5.0 / 3.0 * signal_variance_ * slope(r) * dg;
  grad[groups()] = signal_variance_ * shape(r);
  return grad;
}

Eigen::MatrixXd Matern52::scaled(const Eigen::MatrixXd& x) const {
  if (x.cols() != features())
    throw std::invalid_argument(
        fmt::format("Matern52: points have {} features, the kernel {}", x.cols(), features()));
  Eigen::MatrixXd s = x;
  for (Eigen::Index f = 0; f < features(); ++f) s.col(f) /= length_scales_[groups_[static_cast<std::size_t>(f)]];
  return s;
}

Eigen::MatrixXd Matern52::cross(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) const {
  // r^2 = |a|^2 + |b|^2 - 2 a.b on scaled rows: one matrix product instead of n m features
  // subtractions. Cancellation can make r^2 slightly negative for (near) equal points: clamp.
  const Eigen::MatrixXd sa = scaled(a);
  const Eigen::MatrixXd sb = scaled(b);
  const Eigen::VectorXd na = sa.rowwise().squaredNorm();
  const Eigen::VectorXd nb = sb.rowwise().squaredNorm();
  Eigen::MatrixXd k = -2.0 * sa * sb.transpose();
  k.colwise() += na;
  k.rowwise() += nb.transpose();
  // Array expressions: Eigen vectorizes sqrt and exp (the bulk of the cost for many points).
  const Eigen::ArrayXXd r = k.array().max(0.0).sqrt();
  return (signal_variance_ * (1 + kSqrt5 * r + 5.0 / 3.0 * r.square()) * (-kSqrt5 * r).exp()).matrix();
}

Eigen::MatrixXd Matern52::gram(const Eigen::MatrixXd& x) const {
  Eigen::MatrixXd k = cross(x, x);
  // Symmetric and exact on the diagonal, whatever the rounding of the product above.
  const Eigen::MatrixXd upper = k.triangularView<Eigen::StrictlyUpper>();
  k = upper + upper.transpose();
  k.diagonal().setConstant(signal_variance_);
  return k;
}

Eigen::VectorXd Matern52::gram_gradient_dot(const Eigen::MatrixXd& x, const Eigen::MatrixXd& w) const {
  const Eigen::Index n = x.rows();
  if (w.rows() != n || w.cols() != n)
    throw std::invalid_argument(fmt::format("Matern52: weights are {} x {}, points {}", w.rows(), w.cols(), n));
  // Columns are points: the inner loop reads contiguous memory.
  const Eigen::MatrixXd st = scaled(x).transpose();
  const Eigen::Index features_n = features();
  Eigen::VectorXd grad = Eigen::VectorXd::Zero(groups() + 1);
  Eigen::VectorXd dg(groups());
  double ds2 = w.diagonal().sum() * signal_variance_;  // r = 0: dK_ii/d log s2 = s2, d/d log l = 0
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < j; ++i) {
      const double wij = w(i, j) + w(j, i);
      dg.setZero();
      for (Eigen::Index f = 0; f < features_n; ++f) {
        const double d = st(f, i) - st(f, j);
        dg[groups_[static_cast<std::size_t>(f)]] += d * d;
      }
      const double r = std::sqrt(dg.sum());
      const double e = std::exp(-kSqrt5 * r);
      ds2 += wij * signal_variance_ * (1 + kSqrt5 * r + 5.0 / 3.0 * r * r) * e;
      grad.head(groups()) += (wij * 5.0 / 3.0 * signal_variance_ * (1 + kSqrt5 * r) * e) * dg;
    }
  }
  grad[groups()] = ds2;
  return grad;
}

}  // namespace rungs::optimizers::gp
