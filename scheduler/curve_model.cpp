#include "scheduler/curve_model.hpp"

#include <fmt/format.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>

namespace rungs::scheduler {
namespace {

constexpr double kLogMin = -20;  // bounds of the log-parameters: e^-20 .. e^8
constexpr double kLogMax = 8;

// f(x; theta) and, when grad is given, df/dtheta (size parameter_count).
double evaluate(CurveFamily family, const double* th, double x, double* grad) {
  const double c = th[0];
  const double a = std::exp(th[1]);
  const double lx = std::log(x);
  switch (family) {
    case CurveFamily::Pow3: {  // c + a x^-alpha
      const double alpha = std::exp(th[2]);
      const double g = std::exp(-alpha * lx);
      if (grad) {
        grad[0] = 1;
        grad[1] = a * g;
        grad[2] = a * g * (-lx) * alpha;
      }
      return c + a * g;
    }
    case CurveFamily::Exp3: {  // c + a exp(-b x)
      const double b = std::exp(th[2]);
      const double g = std::exp(-b * x);
      if (grad) {
        grad[0] = 1;
        grad[1] = a * g;
        grad[2] = a * g * (-x * b);
      }
      return c + a * g;
    }
    case CurveFamily::Mmf4: {  // c + a / (1 + (k x)^delta),  (k x)^delta = exp(delta (ln k + ln x))
      const double delta = std::exp(th[3]);
      const double t = th[2] + lx;
      const double z = std::exp(std::min(delta * t, 700.0));
      const double g = 1 / (1 + z);
      if (grad) {
        const double dg = -g * (1 - g);  // dg/d(ln z) = -z / (1+z)^2
        grad[0] = 1;
        grad[1] = a * g;
        grad[2] = a * dg * delta;
        grad[3] = a * dg * delta * t;
      }
      return c + a * g;
    }
    case CurveFamily::Janoschek4: {  // c + a exp(-k x^delta)
      const double k = std::exp(th[2]);
      const double delta = std::exp(th[3]);
      const double q = std::exp(delta * lx);
      const double h = std::exp(-k * q);
      if (grad) {
        grad[0] = 1;
        grad[1] = a * h;
        grad[2] = a * h * (-k * q);
        grad[3] = a * h * (-k * q * lx * delta);
      }
      return c + a * h;
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

// Slope-parameter starts (logs of alpha / b / (k, delta)); x is step / final_step, about 0..1.
std::vector<std::vector<double>> slope_starts(CurveFamily family) {
  switch (family) {
    case CurveFamily::Pow3: return {{std::log(0.5)}, {std::log(2.0)}};
    case CurveFamily::Exp3: return {{std::log(4.0)}, {std::log(25.0)}};
    case CurveFamily::Mmf4: return {{std::log(5.0), 0.0}, {std::log(30.0), std::log(2.0)}};
    case CurveFamily::Janoschek4: return {{std::log(5.0), std::log(0.5)}, {std::log(25.0), 0.0}};
  }
  return {};
}

double sum_of_squares(CurveFamily family, const Eigen::VectorXd& theta, const Eigen::VectorXd& x,
                      const Eigen::VectorXd& y) {
  double sse = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double r = evaluate(family, theta.data(), x[i], nullptr) - y[i];
    sse += r * r;
  }
  return std::isfinite(sse) ? sse : std::numeric_limits<double>::infinity();
}

// Levenberg-Marquardt (Marquardt 1963: damping lambda * diag(J^T J)) on r = f(x; theta) - y.
double levenberg_marquardt(CurveFamily family, Eigen::VectorXd& theta, const Eigen::VectorXd& x,
                           const Eigen::VectorXd& y) {
  const Eigen::Index n = x.size();
  const auto p = static_cast<Eigen::Index>(parameter_count(family));
  Eigen::MatrixXd jac(n, p);
  Eigen::VectorXd r(n);
  // jac is column-major: each row is filled through a temporary.
  auto linearize_rows = [&] {
    Eigen::VectorXd g(p);
    for (Eigen::Index i = 0; i < n; ++i) {
      r[i] = evaluate(family, theta.data(), x[i], g.data()) - y[i];
      jac.row(i) = g.transpose();
    }
  };
  linearize_rows();
  double cost = r.squaredNorm();
  if (!std::isfinite(cost)) return std::numeric_limits<double>::infinity();
  double lambda = 1e-3;
  for (int iteration = 0; iteration < 100 && cost > 1e-24; ++iteration) {
    const Eigen::MatrixXd jtj = jac.transpose() * jac;
    const Eigen::VectorXd jtr = jac.transpose() * r;
    bool accepted = false;
    double new_cost = cost;
    Eigen::VectorXd trial;
    while (lambda < 1e12) {
      Eigen::MatrixXd damped = jtj;
      damped.diagonal().array() += lambda * (jtj.diagonal().array() + 1e-12);
      trial = theta - damped.ldlt().solve(jtr);
      for (Eigen::Index j = 1; j < p; ++j) trial[j] = std::clamp(trial[j], kLogMin, kLogMax);
      new_cost = trial.allFinite() ? sum_of_squares(family, trial, x, y) : std::numeric_limits<double>::infinity();
      if (new_cost < cost) {
        accepted = true;
        break;
      }
      lambda *= 10;
    }
    if (!accepted) break;  // no descent direction left: a (local) minimum
    const double step = (trial - theta).norm();
    theta = trial;
    lambda = std::max(lambda / 10, 1e-12);
    const double decrease = cost - new_cost;
    cost = new_cost;
    if (decrease <= 1e-12 * cost || step <= 1e-12 * (1 + theta.norm())) break;
    linearize_rows();
  }
  return cost;
}

// For fixed slope parameters, the least-squares c and a of y = c + a g(x); a kept positive.
void solve_linear(CurveFamily family, Eigen::VectorXd& theta, const Eigen::VectorXd& x, const Eigen::VectorXd& y) {
  theta[0] = 0;
  theta[1] = 0;  // a = 1: g = f - c
  Eigen::VectorXd g(x.size());
  for (Eigen::Index i = 0; i < x.size(); ++i) g[i] = evaluate(family, theta.data(), x[i], nullptr);
  const double gm = g.mean();
  const double ym = y.mean();
  const double var = (g.array() - gm).square().sum();
  const double cov = ((g.array() - gm) * (y.array() - ym)).sum();
  const double a = var > 1e-300 && cov > 0 ? cov / var : 1e-3;
  theta[1] = std::clamp(std::log(a), kLogMin, kLogMax);
  theta[0] = ym - std::exp(theta[1]) * gm;
}

}  // namespace

const char* to_string(CurveFamily family) {
  switch (family) {
    case CurveFamily::Pow3: return "pow3";
    case CurveFamily::Exp3: return "exp3";
    case CurveFamily::Mmf4: return "mmf4";
    case CurveFamily::Janoschek4: return "janoschek4";
  }
  return "unknown";
}

std::size_t parameter_count(CurveFamily family) {
  return family == CurveFamily::Pow3 || family == CurveFamily::Exp3 ? 3 : 4;
}

double CurveFit::predict(double step) const {
  return y_shift + y_scale * evaluate(family, theta.data(), step / x_scale, nullptr);
}

double CurveFit::parameter_variance(double step) const {
  const auto p = static_cast<Eigen::Index>(parameter_count(family));
  Eigen::VectorXd g(p);
  evaluate(family, theta.data(), step / x_scale, g.data());
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> cov(covariance.data(), p, p);
  const double var = g.dot(cov * g);
  return (std::isfinite(var) ? std::max(var, 0.0) : std::numeric_limits<double>::infinity()) * y_scale * y_scale;
}

double CurveFit::residual_variance() const {
  const double dof = static_cast<double>(points) - static_cast<double>(parameter_count(family));
  return sse / std::max(dof, 1.0) * y_scale * y_scale;
}

std::optional<CurveFit> fit_curve(CurveFamily family, std::span<const double> steps, std::span<const double> values,
                                  double x_scale) {
  if (steps.size() != values.size())
    throw std::invalid_argument(fmt::format("fit_curve: {} steps but {} values", steps.size(), values.size()));
  if (!(x_scale > 0)) throw std::invalid_argument(fmt::format("fit_curve: the final step must be > 0 (got {})", x_scale));
  std::vector<double> xs;
  std::vector<double> ys;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i] > 0 && std::isfinite(steps[i]) && std::isfinite(values[i])) {
      xs.push_back(steps[i] / x_scale);
      ys.push_back(values[i]);
    }
  }
  const std::size_t p = parameter_count(family);
  if (xs.size() < p + 1) return std::nullopt;

  CurveFit fit;
  fit.family = family;
  fit.points = xs.size();
  fit.x_scale = x_scale;
  const auto [lo, hi] = std::minmax_element(ys.begin(), ys.end());
  fit.y_shift = *lo;
  fit.y_scale = *hi - *lo > 1e-12 * std::max(1.0, std::abs(*lo)) ? *hi - *lo : std::max(1e-3 * std::abs(*lo), 1e-12);
  const Eigen::VectorXd x = Eigen::Map<const Eigen::VectorXd>(xs.data(), static_cast<Eigen::Index>(xs.size()));
  Eigen::VectorXd y = Eigen::Map<const Eigen::VectorXd>(ys.data(), static_cast<Eigen::Index>(ys.size()));
  y = (y.array() - fit.y_shift) / fit.y_scale;

  double best = std::numeric_limits<double>::infinity();
  for (const std::vector<double>& slopes : slope_starts(family)) {
    Eigen::VectorXd theta(static_cast<Eigen::Index>(p));
    for (std::size_t j = 0; j < slopes.size(); ++j) theta[static_cast<Eigen::Index>(j + 2)] = slopes[j];
    solve_linear(family, theta, x, y);
    const double sse = levenberg_marquardt(family, theta, x, y);
    if (sse < best) {
      best = sse;
      fit.theta.assign(theta.data(), theta.data() + theta.size());
    }
  }
  if (!std::isfinite(best)) return std::nullopt;
  fit.sse = best;

  // Cov = s^2 (J^T J + ridge)^-1; the small ridge keeps flat directions (a saturated slope
  // parameter) finite without hiding the directions the data leave undetermined.
  const auto pp = static_cast<Eigen::Index>(p);
  Eigen::MatrixXd jac(x.size(), pp);
  Eigen::VectorXd g(pp);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    evaluate(family, fit.theta.data(), x[i], g.data());
    jac.row(i) = g.transpose();
  }
  Eigen::MatrixXd jtj = jac.transpose() * jac;
  jtj.diagonal().array() += 1e-9 * std::max(jtj.diagonal().maxCoeff(), 1e-300);
  const double s2 = best / static_cast<double>(x.size() - p);
  const Eigen::MatrixXd cov = s2 * jtj.ldlt().solve(Eigen::MatrixXd::Identity(pp, pp));
  fit.covariance.resize(p * p);
  Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(fit.covariance.data(), pp, pp) = cov;
  if (!std::isfinite(fit.predict(x_scale))) return std::nullopt;
  return fit;
}

double CurveForecast::probability_below(double threshold) const {
  return 0.5 * std::erfc(-(threshold - mean) / (std * std::sqrt(2.0)));
}

std::optional<CurveForecast> forecast_curve(std::span<const double> steps, std::span<const double> values,
                                            double final_step, std::span<const CurveFamily> families) {
  if (steps.size() != values.size())
    throw std::invalid_argument(fmt::format("forecast_curve: {} steps but {} values", steps.size(), values.size()));
  CurveForecast out;
  for (CurveFamily family : families)
    if (std::optional<CurveFit> fit = fit_curve(family, steps, values, final_step)) out.fits.push_back(std::move(*fit));
  if (out.fits.empty()) return std::nullopt;

  // Equal weights: see the header for why not BIC weights.
  const double w = 1.0 / static_cast<double>(out.fits.size());
  out.weights.assign(out.fits.size(), w);
  std::vector<double> means;
  for (const CurveFit& fit : out.fits) means.push_back(fit.predict(final_step));
  out.mean = 0;
  for (double m : means) out.mean += w * m;
  double var = 0;
  for (std::size_t k = 0; k < means.size(); ++k)
    var += w * (out.fits[k].residual_variance() + out.fits[k].parameter_variance(final_step) +
                (means[k] - out.mean) * (means[k] - out.mean));
  const double floor = 1e-3 * out.fits.front().y_scale;
  out.std = std::isfinite(var) ? std::max(std::sqrt(var), floor) : std::numeric_limits<double>::infinity();
  return out;
}

}  // namespace rungs::scheduler
