#include "optimizers/gp/lbfgs.hpp"

#include <cmath>
#include <deque>
#include <vector>

namespace rungs::optimizers::gp {

LbfgsResult minimize_lbfgs(const Objective& f, Eigen::VectorXd x0, const LbfgsOptions& options) {
  LbfgsResult result;
  result.x = std::move(x0);
  Eigen::VectorXd g(result.x.size());
  result.value = f(result.x, g);
  result.evaluations = 1;
  if (!std::isfinite(result.value) || !g.allFinite()) return result;

  std::deque<Eigen::VectorXd> s_list, y_list;
  std::deque<double> rho_list;
  Eigen::VectorXd x_new(result.x.size()), g_new(result.x.size());
  for (; result.iterations < options.max_iterations; ++result.iterations) {
    if (g.lpNorm<Eigen::Infinity>() <= options.gradient_tolerance) break;

    // Two-loop recursion: d = -H g.
    Eigen::VectorXd d = -g;
    std::vector<double> a(s_list.size());
    for (std::size_t i = s_list.size(); i-- > 0;) {
      a[i] = rho_list[i] * s_list[i].dot(d);
      d -= a[i] * y_list[i];
    }
    if (!s_list.empty()) {
      d *= s_list.back().dot(y_list.back()) / y_list.back().squaredNorm();
    } else {
      d /= std::max(1.0, g.norm());  // first step: at most unit length
    }
    for (std::size_t i = 0; i < s_list.size(); ++i) {
      const double b = rho_list[i] * y_list[i].dot(d);
      d += (a[i] - b) * s_list[i];
    }
    double slope = g.dot(d);
    if (!(slope < 0)) {  // lost descent (rounding): restart from steepest descent
      s_list.clear(), y_list.clear(), rho_list.clear();
      d = -g / std::max(1.0, g.norm());
      slope = g.dot(d);
    }

    double step = 1;
    double value_new = 0;
    bool accepted = false;
    for (int b = 0; b < options.max_backtracks; ++b, step *= 0.5) {
      x_new = result.x + step * d;
      value_new = f(x_new, g_new);
      ++result.evaluations;
      if (std::isfinite(value_new) && g_new.allFinite() && value_new <= result.value + 1e-4 * step * slope) {
        accepted = true;
        break;
      }
    }
    if (!accepted) break;

    Eigen::VectorXd s = x_new - result.x;
    Eigen::VectorXd y = g_new - g;
    const double sy = s.dot(y);
    if (sy > 1e-12 * y.squaredNorm()) {
      s_list.push_back(std::move(s));
      y_list.push_back(std::move(y));
      rho_list.push_back(1 / sy);
      if (static_cast<int>(s_list.size()) > options.memory) {
        s_list.pop_front(), y_list.pop_front(), rho_list.pop_front();
      }
    }
    const double change = std::abs(result.value - value_new);
    const double scale = std::max(1.0, std::abs(result.value));
    result.x = x_new;
    result.value = value_new;
    g = g_new;
    if (change <= options.relative_tolerance * scale) {
      ++result.iterations;
      break;
    }
  }
  return result;
}

}  // namespace rungs::optimizers::gp
