// L-BFGS and the GP hyperparameter fit.
#include <doctest/doctest.h>

#include <cmath>
#include <random>

#include "optimizers/gp/gp_fit.hpp"
#include "optimizers/gp/lbfgs.hpp"

using namespace rungs::optimizers::gp;

TEST_CASE("optimizers: GP L-BFGS minimizes the Rosenbrock function") {
  const Objective rosenbrock = [](const Eigen::VectorXd& x, Eigen::VectorXd& g) {
    const double a = 1 - x[0], b = x[1] - x[0] * x[0];
    g.resize(2);
    g[0] = -2 * a - 400 * x[0] * b;
    g[1] = 200 * b;
    return a * a + 100 * b * b;
  };
  LbfgsOptions options;
  options.max_iterations = 200;
  const LbfgsResult r = minimize_lbfgs(rosenbrock, Eigen::Vector2d(-1.2, 1.0), options);
  CHECK(r.x[0] == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(r.x[1] == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(r.value < 1e-8);
  CHECK(r.iterations < 200);
}

namespace {

// 25 points of a smooth 2-D function with a little noise; the second input is irrelevant.
void toy_data(Eigen::MatrixXd& x, Eigen::VectorXd& y) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.0);  // test data only: platform details do not matter
  x.resize(25, 2);
  y.resize(25);
  for (Eigen::Index i = 0; i < 25; ++i) {
    x(i, 0) = u(rng), x(i, 1) = u(rng);
    y[i] = std::sin(6 * x(i, 0)) + 0.05 * (u(rng) - 0.5);
  }
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
}

}  // namespace

TEST_CASE("optimizers: GP fit raises the marginal likelihood above the starting hyperparameters") {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
  toy_data(x, y);
  const std::vector<Eigen::Index> groups{0, 1};
  const Hyperparameters start{Eigen::Vector2d(5.0, 5.0), 1.0, 0.5};  // far too smooth and noisy
  const double before = GpModel(x, y, start, groups).log_marginal_likelihood();

  for (bool prior : {false, true}) {
    CAPTURE(prior);
    FitOptions options;
    options.prior = prior;
    std::mt19937_64 rng(11);
    const FitResult fit = fit_hyperparameters(x, y, groups, start, options, rng);
    const double after = GpModel(x, y, fit.hyperparameters, groups).log_marginal_likelihood();
    CHECK(after > before + 10);
    CHECK(fit.log_marginal_likelihood == doctest::Approx(after).epsilon(1e-9));
    // It learned what the data say: the first input matters, the second does not, little noise.
    const Hyperparameters& h = fit.hyperparameters;
    CHECK(h.length_scales[0] < 1.0);
    CHECK(h.length_scales[1] > 2 * h.length_scales[0]);
    CHECK(h.noise_variance < 0.05);
    CHECK(h.noise_variance >= options.min_noise_variance);
    CHECK(h.length_scales.maxCoeff() <= options.max_length_scale);
  }

  // Deterministic for an engine state.
  std::mt19937_64 a(5), b(5);
  const FitResult fa = fit_hyperparameters(x, y, groups, start, {}, a);
  const FitResult fb = fit_hyperparameters(x, y, groups, start, {}, b);
  CHECK(fa.hyperparameters.to_log() == fb.hyperparameters.to_log());
}

TEST_CASE("optimizers: GP log prior gradient matches finite differences") {
  const Hyperparameters h{Eigen::Vector2d(0.2, 3.0), 2.0, 1e-3};
  Eigen::VectorXd grad;
  log_prior(h, &grad);
  const Eigen::VectorXd theta = h.to_log();
  for (Eigen::Index p = 0; p < theta.size(); ++p) {
    Eigen::VectorXd up = theta, down = theta;
    up[p] += 1e-6, down[p] -= 1e-6;
    const double fd = (log_prior(Hyperparameters::from_log(up)) - log_prior(Hyperparameters::from_log(down))) / 2e-6;
    CHECK(grad[p] == doctest::Approx(fd).epsilon(1e-6));
  }
}
