#include "optimizers/gp/tv_gp.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "optimizers/gp/gp_model.hpp"
#include "optimizers/gp/lbfgs.hpp"
#include "space/sampling.hpp"

namespace rungs::optimizers::gp {

namespace {

// Squared distances between the rows of a and b.
Eigen::MatrixXd squared_distances(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  Eigen::MatrixXd d = (-2 * a * b.transpose()).colwise() + a.rowwise().squaredNorm();
  d.rowwise() += b.rowwise().squaredNorm().transpose();
  return d.cwiseMax(0.0);
}

Eigen::MatrixXd time_gaps(const Eigen::VectorXd& ta, const Eigen::VectorXd& tb) {
  return (ta.replicate(1, tb.size()) - tb.transpose().replicate(ta.size(), 1)).cwiseAbs();
}

// The box and prior of fit_tv_gp (tv_gp.hpp), in log coordinates.
const Eigen::Vector4d kLow{std::log(0.05), std::log(0.05), std::log(1e-4), std::log(1e-3)};
const Eigen::Vector4d kHigh{std::log(5.0), std::log(20.0), std::log(1.0), std::log(0.5)};
const Eigen::Vector4d kPriorMean{std::log(0.5), 0.0, std::log(0.05), std::log(0.1)};
const Eigen::Vector4d kPriorSd{1.5, 1.5, 2.0, 1.5};

double sigmoid(double u) { return 1 / (1 + std::exp(-u)); }

}  // namespace

Eigen::Vector4d TvHyperparameters::to_log() const {
  return {std::log(length_scale), std::log(signal_variance), std::log(noise_variance), std::log(epsilon)};
}

TvHyperparameters TvHyperparameters::from_log(const Eigen::Vector4d& theta) {
  return {std::exp(theta[0]), std::exp(theta[1]), std::exp(theta[2]), std::exp(theta[3])};
}

Eigen::MatrixXd TimeVaryingGp::cross(const Eigen::MatrixXd& a, const Eigen::VectorXd& ta, const Eigen::MatrixXd& b,
                                     const Eigen::VectorXd& tb, const TvHyperparameters& h) {
  const double l2 = h.length_scale * h.length_scale;
  const double log_keep = 0.5 * std::log1p(-h.epsilon);  // (1 - eps)^{|dt|/2} = exp(|dt| log_keep)
  return h.signal_variance *
         ((-squared_distances(a, b) / (2 * l2)).array() + time_gaps(ta, tb).array() * log_keep).exp().matrix();
}

TimeVaryingGp::TimeVaryingGp(Eigen::MatrixXd x, Eigen::VectorXd t, Eigen::VectorXd y, const TvHyperparameters& h)
    : x_(std::move(x)), t_(std::move(t)), y_(std::move(y)), h_(h) {
  if (x_.rows() == 0) throw std::invalid_argument("TimeVaryingGp: no training points");
  if (x_.rows() != y_.size() || t_.size() != y_.size())
    throw std::invalid_argument(
        fmt::format("TimeVaryingGp: {} points, {} times, {} targets", x_.rows(), t_.size(), y_.size()));
  if (!(h_.epsilon > 0 && h_.epsilon < 1))
    throw std::invalid_argument(fmt::format("TimeVaryingGp: epsilon must be in (0, 1), got {}", h_.epsilon));
  k_ = cross(x_, t_, x_, t_, h_);
  Eigen::MatrixXd k = k_;
  k.diagonal().array() += h_.noise_variance;
  llt_.compute(k);
  // Jitter ladder, as GpModel: a failed factorization of a PSD matrix is rounding.
  for (double jitter = 1e-8; llt_.info() != Eigen::Success; jitter *= 10) {
    if (jitter > 1.5e-2) throw NumericalError("TimeVaryingGp: K + noise is not positive definite even with jitter");
    Eigen::MatrixXd kj = k;
    kj.diagonal().array() += jitter * h_.signal_variance;
    llt_.compute(kj);
  }
  alpha_ = llt_.solve(y_);
  if (!alpha_.allFinite()) throw NumericalError("TimeVaryingGp: non-finite weights (are the targets finite?)");
}

TimeVaryingGp::Prediction TimeVaryingGp::predict(const Eigen::MatrixXd& x, const Eigen::VectorXd& t) const {
  Eigen::MatrixXd ks = cross(x_, t_, x, t, h_);  // n x m
  Prediction p;
  p.mean = ks.transpose() * alpha_;
  llt_.matrixL().solveInPlace(ks);
  p.variance = (h_.signal_variance - ks.colwise().squaredNorm().array()).max(0.0).matrix().transpose();
  return p;
}

double TimeVaryingGp::log_marginal_likelihood() const {
  return -0.5 * y_.dot(alpha_) - llt_.matrixLLT().diagonal().array().log().sum() -
         0.5 * static_cast<double>(y_.size()) * std::log(2 * std::numbers::pi);
}

Eigen::Vector4d TimeVaryingGp::log_marginal_likelihood_gradient() const {
  const Eigen::Index n = x_.rows();
  Eigen::MatrixXd w = llt_.solve(Eigen::MatrixXd::Identity(n, n));
  w = alpha_ * alpha_.transpose() - w;  // W = alpha alpha^T - K^-1
  const Eigen::ArrayXXd wk = w.array() * k_.array();
  const double l2 = h_.length_scale * h_.length_scale;
  Eigen::Vector4d grad;
  grad[0] = 0.5 * (wk * squared_distances(x_, x_).array() / l2).sum();
  grad[1] = 0.5 * wk.sum();
  grad[2] = 0.5 * h_.noise_variance * w.trace();
  grad[3] = 0.5 * (wk * time_gaps(t_, t_).array() * 0.5).sum() * (-h_.epsilon / (1 - h_.epsilon));
  return grad;
}

TvHyperparameters fit_tv_gp(const Eigen::MatrixXd& x, const Eigen::VectorXd& t, const Eigen::VectorXd& y,
                            std::mt19937_64& rng, int restarts) {
  const Eigen::Vector4d width = kHigh - kLow;
  auto theta_of = [&](const Eigen::VectorXd& u) {
    Eigen::Vector4d theta;
    for (int i = 0; i < 4; ++i) theta[i] = kLow[i] + width[i] * sigmoid(u[i]);
    return theta;
  };
  // -(log p(y) + log prior) over u (theta = low + width sigmoid(u)); +inf where K fails.
  const Objective objective = [&](const Eigen::VectorXd& u, Eigen::VectorXd& grad_u) {
    const Eigen::Vector4d theta = theta_of(u);
    grad_u = Eigen::VectorXd::Zero(4);
    try {
      const TimeVaryingGp model(x, t, y, TvHyperparameters::from_log(theta));
      const Eigen::Array4d z = (theta - kPriorMean).array() / kPriorSd.array();
      const double value = model.log_marginal_likelihood() - 0.5 * z.square().sum();
      const Eigen::Array4d grad = model.log_marginal_likelihood_gradient().array() - z / kPriorSd.array();
      for (int i = 0; i < 4; ++i) {
        const double s = sigmoid(u[i]);
        grad_u[i] = -grad[i] * width[i] * s * (1 - s);
      }
      return -value;
    } catch (const NumericalError&) {
      return std::numeric_limits<double>::infinity();
    }
  };
  LbfgsOptions options;
  options.max_iterations = 30;
  options.relative_tolerance = 1e-6;
  TvHyperparameters best;
  double best_value = std::numeric_limits<double>::infinity();
  for (int r = 0; r < std::max(restarts, 1); ++r) {
    Eigen::Vector4d theta0 = TvHyperparameters{}.to_log();
    if (r > 0)
      for (int i = 0; i < 4; ++i) theta0[i] = kLow[i] + width[i] * space::uniform01(rng);
    Eigen::VectorXd u0(4);
    for (int i = 0; i < 4; ++i) {
      const double p = std::clamp((theta0[i] - kLow[i]) / width[i], 1e-6, 1 - 1e-6);
      u0[i] = std::log(p / (1 - p));
    }
    const LbfgsResult run = minimize_lbfgs(objective, u0, options);
    if (std::isfinite(run.value) && run.value < best_value) {
      best_value = run.value;
      best = TvHyperparameters::from_log(theta_of(run.x));
    }
  }
  return best;
}

}  // namespace rungs::optimizers::gp
