// GP posterior and marginal likelihood: a hand-checkable 3-point example, gradients against
// finite differences, the jitter fallback.
#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <numbers>

#include "optimizers/gp/gp_model.hpp"

using namespace rungs::optimizers::gp;

namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;

double matern(double a, double b, double l, double s2) {
  const double r = std::abs(a - b) / l, s5 = std::sqrt(5.0);
  return s2 * (1 + s5 * r + 5.0 / 3.0 * r * r) * std::exp(-s5 * r);
}

double det3(const Mat3& m) {
  return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
         m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
}

// Inverse by cofactors (the adjugate over the determinant): no Cholesky involved.
Mat3 inverse3(const Mat3& m) {
  const double d = det3(m);
  Mat3 inv{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      const int r0 = (j + 1) % 3, r1 = (j + 2) % 3, c0 = (i + 1) % 3, c1 = (i + 2) % 3;
      inv[i][j] = (m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0]) / d;
    }
  return inv;
}

}  // namespace

TEST_CASE("optimizers: GP posterior mean, variance and likelihood match a 3-point hand computation") {
  const double l = 0.3, s2 = 1.5, sn2 = 0.01, xs = 0.6;
  const std::array<double, 3> xv{0.1, 0.4, 0.9}, yv{1.0, -0.5, 0.3};

  Mat3 k{};
  std::array<double, 3> ks{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) k[i][j] = matern(xv[i], xv[j], l, s2) + (i == j ? sn2 : 0);
    ks[i] = matern(xv[i], xs, l, s2);
  }
  const Mat3 inv = inverse3(k);
  double mean = 0, quad = 0, fit = 0;
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      mean += ks[i] * inv[i][j] * yv[j];
      quad += ks[i] * inv[i][j] * ks[j];
      fit += yv[i] * inv[i][j] * yv[j];
    }
  const double variance = s2 - quad;
  const double lml = -0.5 * fit - 0.5 * std::log(det3(k)) - 1.5 * std::log(2 * std::numbers::pi);
  // The same numbers from an independent script (Gaussian elimination in Python).
  CHECK(mean == doctest::Approx(-0.43172704010291846).epsilon(1e-12));
  CHECK(variance == doctest::Approx(0.47267212760399646).epsilon(1e-12));
  CHECK(lml == doctest::Approx(-4.090659163724026).epsilon(1e-12));

  Eigen::MatrixXd x(3, 1);
  x << 0.1, 0.4, 0.9;
  const GpModel model(x, Eigen::Vector3d(1.0, -0.5, 0.3), {Eigen::VectorXd::Constant(1, l), s2, sn2}, {0});
  Eigen::MatrixXd at(2, 1);
  at << xs, 0.4;
  const GpModel::Prediction p = model.predict(at);
  CHECK(p.mean[0] == doctest::Approx(mean).epsilon(1e-10));
  CHECK(p.variance[0] == doctest::Approx(variance).epsilon(1e-10));
  CHECK(model.log_marginal_likelihood() == doctest::Approx(lml).epsilon(1e-10));
  CHECK(model.jitter() == 0.0);
  // At a training point with little noise: near its target, small but positive variance.
  CHECK(p.mean[1] == doctest::Approx(-0.5).epsilon(0.02));
  CHECK(p.variance[1] > 0.0);
  CHECK(p.variance[1] < sn2);
}

TEST_CASE("optimizers: GP log-marginal-likelihood gradient matches finite differences") {
  Eigen::MatrixXd x(6, 3);
  x << 0.1, 0.0, 0.7,  //
      0.4, 0.7, 0.7,   //
      0.9, 0.5, 0.0,   //
      0.2, 0.3, 0.0,   //
      0.6, 0.9, 0.7,   //
      0.5, 0.1, 0.35;
  Eigen::VectorXd y(6);
  y << 0.3, -1.2, 0.8, 0.1, -0.4, 1.5;
  const std::vector<Eigen::Index> groups{0, 1, 1};  // features 1 and 2 share a length scale
  Eigen::VectorXd theta(4);
  theta << std::log(0.4), std::log(0.9), std::log(1.3), std::log(0.05);

  const GpModel model(x, y, Hyperparameters::from_log(theta), groups);
  const Eigen::VectorXd grad = model.log_marginal_likelihood_gradient();
  REQUIRE(grad.size() == 4);
  const double h = 1e-6;
  for (Eigen::Index p = 0; p < 4; ++p) {
    Eigen::VectorXd up = theta, down = theta;
    up[p] += h, down[p] -= h;
    const double fd = (GpModel(x, y, Hyperparameters::from_log(up), groups).log_marginal_likelihood() -
                       GpModel(x, y, Hyperparameters::from_log(down), groups).log_marginal_likelihood()) / (2 * h);
    CHECK(grad[p] == doctest::Approx(fd).epsilon(1e-5));
  }
  CHECK(Hyperparameters::from_log(theta).to_log().isApprox(theta));
}

TEST_CASE("optimizers: GP factorization survives duplicate points with no noise (jitter)") {
  Eigen::MatrixXd x(3, 1);
  x << 0.5, 0.5, 0.2;
  const GpModel model(x, Eigen::Vector3d(1.0, 1.0, -1.0), {Eigen::VectorXd::Constant(1, 0.3), 1.0, 0.0}, {0});
  CHECK(model.jitter() > 0.0);
  const auto p = model.predict(x);
  CHECK(p.mean.allFinite());
  CHECK(p.mean[0] == doctest::Approx(1.0).epsilon(1e-3));

  CHECK_THROWS_AS(GpModel(x, Eigen::Vector2d(1.0, 2.0), {Eigen::VectorXd::Constant(1, 0.3), 1.0, 0.0}, {0}),
                  std::invalid_argument);
}
