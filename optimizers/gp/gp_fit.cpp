#include "optimizers/gp/gp_fit.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "optimizers/gp/lbfgs.hpp"
#include "space/sampling.hpp"

namespace rungs::optimizers::gp {

namespace {

struct Box {
  Eigen::VectorXd low, high;  // in log space
};

Box make_box(Eigen::Index groups, const FitOptions& o) {
  Box box{Eigen::VectorXd(groups + 2), Eigen::VectorXd(groups + 2)};
  box.low.head(groups).setConstant(std::log(o.min_length_scale));
  box.high.head(groups).setConstant(std::log(o.max_length_scale));
  box.low[groups] = std::log(o.min_signal_variance);
  box.high[groups] = std::log(o.max_signal_variance);
  box.low[groups + 1] = std::log(o.min_noise_variance);
  box.high[groups + 1] = std::log(o.max_noise_variance);
  return box;
}

double sigmoid(double u) { return 1 / (1 + std::exp(-u)); }

// theta -> u, keeping u finite for theta on (or beyond) the bounds.
Eigen::VectorXd to_unbounded(const Eigen::VectorXd& theta, const Box& box) {
  Eigen::VectorXd u(theta.size());
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    const double p = std::clamp((theta[i] - box.low[i]) / (box.high[i] - box.low[i]), 1e-6, 1 - 1e-6);
    u[i] = std::log(p / (1 - p));
  }
  return u;
}

}  // namespace

double log_prior(const Hyperparameters& h, Eigen::VectorXd* gradient) {
  const Eigen::VectorXd theta = h.to_log();
  const Eigen::Index g = h.length_scales.size();
  Eigen::VectorXd mean(theta.size()), sd(theta.size());
  mean.head(g).setConstant(std::log(0.5));
  sd.head(g).setConstant(1.5);
  mean[g] = 0, sd[g] = 1.5;
  mean[g + 1] = std::log(1e-2), sd[g + 1] = 3;
  const Eigen::ArrayXd z = (theta - mean).array() / sd.array();
  if (gradient) *gradient = (-z / sd.array()).matrix();
  return -0.5 * z.square().sum();
}

FitResult fit_hyperparameters(const Eigen::MatrixXd& x, const Eigen::VectorXd& y,
                              const std::vector<Eigen::Index>& groups, const Hyperparameters& start,
                              const FitOptions& options, std::mt19937_64& rng) {
  const Eigen::Index n_groups = start.length_scales.size();
  const Box box = make_box(n_groups, options);
  const Eigen::VectorXd width = box.high - box.low;
  FitResult best;
  best.hyperparameters = Hyperparameters::from_log(start.to_log().cwiseMax(box.low).cwiseMin(box.high));
  best.objective = -std::numeric_limits<double>::infinity();
  best.log_marginal_likelihood = best.objective;

  // -(log likelihood + log prior) over u; +inf where K cannot be factorized (the line search
  // then backtracks).
  int evaluations = 0;
  const Objective objective = [&](const Eigen::VectorXd& u, Eigen::VectorXd& grad_u) {
    const Eigen::ArrayXd s = u.array().unaryExpr([](double v) { return sigmoid(v); });
    const Eigen::VectorXd theta = box.low + (width.array() * s).matrix();
    const Hyperparameters h = Hyperparameters::from_log(theta);
    ++evaluations;
    try {
      const GpModel model(x, y, h, groups);
      double value = model.log_marginal_likelihood();
      Eigen::VectorXd grad = model.log_marginal_likelihood_gradient();
      if (options.prior) {
        Eigen::VectorXd prior_grad;
        value += log_prior(h, &prior_grad);
        grad += prior_grad;
      }
      grad_u = -(grad.array() * width.array() * s * (1 - s)).matrix();
      return -value;
    } catch (const NumericalError&) {
      grad_u = Eigen::VectorXd::Zero(u.size());
      return std::numeric_limits<double>::infinity();
    }
  };

  LbfgsOptions lbfgs;
  lbfgs.max_iterations = options.iterations;
  lbfgs.relative_tolerance = 1e-6;
  for (std::size_t r = 0; r < std::max<std::size_t>(options.restarts, 1); ++r) {
    Eigen::VectorXd theta0(n_groups + 2);
    if (r == 0) {
      theta0 = best.hyperparameters.to_log();
    } else {
      for (Eigen::Index i = 0; i < theta0.size(); ++i) theta0[i] = box.low[i] + width[i] * space::uniform01(rng);
    }
    const LbfgsResult run = minimize_lbfgs(objective, to_unbounded(theta0, box), lbfgs);
    if (!std::isfinite(run.value) || -run.value <= best.objective) continue;
    const Eigen::ArrayXd s = run.x.array().unaryExpr([](double v) { return sigmoid(v); });
    best.hyperparameters = Hyperparameters::from_log(box.low + (width.array() * s).matrix());
    best.objective = -run.value;
  }
  if (std::isfinite(best.objective)) {
    best.log_marginal_likelihood = best.objective;
    if (options.prior) best.log_marginal_likelihood -= log_prior(best.hyperparameters);
  }
  best.evaluations = evaluations;
  return best;
}

}  // namespace rungs::optimizers::gp
