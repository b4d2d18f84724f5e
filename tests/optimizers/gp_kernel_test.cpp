// Matern 5/2 ARD kernel: values against the formula, gradients against finite differences.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "optimizers/gp/matern52.hpp"

using rungs::optimizers::gp::Matern52;

namespace {

// The textbook formula, written out independently of the code under test.
double matern(double r, double s2) {
  const double s5 = std::sqrt(5.0);
  return s2 * (1 + s5 * r + 5.0 / 3.0 * r * r) * std::exp(-s5 * r);
}

Eigen::MatrixXd points() {
  Eigen::MatrixXd x(4, 3);
  x << 0.1, 0.9, 0.3,  //
      0.4, 0.2, 0.3,   //
      0.8, 0.5, 0.0,   //
      0.1, 0.9, 0.35;
  return x;
}

}  // namespace

TEST_CASE("optimizers: GP Matern 5/2 with ARD and length-scale groups matches the formula") {
  const Matern52 plain(Eigen::Vector3d(0.2, 0.5, 1.5), 2.0);
  const Eigen::Vector3d a(0.1, 0.9, 0.3), b(0.4, 0.2, 0.3);
  const double r = std::sqrt(std::pow(0.3 / 0.2, 2) + std::pow(0.7 / 0.5, 2));
  CHECK(plain(a, b) == doctest::Approx(matern(r, 2.0)).epsilon(1e-12));
  CHECK(plain(a, a) == doctest::Approx(2.0));

  // Features 0 and 2 share length scale 0, feature 1 uses length scale 1.
  const Matern52 grouped(Eigen::Vector2d(0.25, 0.6), 0.7, {0, 1, 0});
  const Eigen::Vector3d c(0.8, 0.5, 0.0);
  const double rg = std::sqrt((0.7 * 0.7 + 0.3 * 0.3) / (0.25 * 0.25) + 0.4 * 0.4 / (0.6 * 0.6));
  CHECK(grouped(a, c) == doctest::Approx(matern(rg, 0.7)).epsilon(1e-12));

  // The batched matrices agree with the pairwise formula.
  const Eigen::MatrixXd x = points();
  const Eigen::MatrixXd k = grouped.gram(x);
  const Eigen::MatrixXd cross = grouped.cross(x, x.topRows(2));
  for (Eigen::Index i = 0; i < x.rows(); ++i) {
    for (Eigen::Index j = 0; j < x.rows(); ++j)
      CHECK(k(i, j) == doctest::Approx(grouped(x.row(i).transpose(), x.row(j).transpose())).epsilon(1e-10));
    for (Eigen::Index j = 0; j < 2; ++j)
      CHECK(cross(i, j) == doctest::Approx(grouped(x.row(i).transpose(), x.row(j).transpose())).epsilon(1e-10));
  }
  CHECK(k.isApprox(k.transpose()));
}

TEST_CASE("optimizers: GP kernel gradients match finite differences in log parameters") {
  const std::vector<Eigen::Index> groups{0, 1, 0};
  const Eigen::Vector3d theta(std::log(0.3), std::log(0.8), std::log(1.7));
  const Matern52 kernel = Matern52::from_log_params(theta, groups);
  CHECK(kernel.log_params().isApprox(theta));
  const Eigen::MatrixXd x = points();
  const double h = 1e-6;

  for (const auto& [i, j] : {std::pair{0, 1}, std::pair{1, 2}, std::pair{0, 3}, std::pair{2, 2}}) {
    const Eigen::VectorXd a = x.row(i).transpose(), b = x.row(j).transpose();
    const Eigen::VectorXd grad = kernel.gradient(a, b);
    REQUIRE(grad.size() == 3);
    for (Eigen::Index p = 0; p < 3; ++p) {
      Eigen::VectorXd up = theta, down = theta;
      up[p] += h, down[p] -= h;
      const double fd = (Matern52::from_log_params(up, groups)(a, b) - Matern52::from_log_params(down, groups)(a, b)) / (2 * h);
      CHECK(grad[p] == doctest::Approx(fd).epsilon(1e-6));
    }
  }

  // sum_ij W_ij dK_ij/dtheta, the likelihood gradient's building block, for a non-symmetric W.
  Eigen::MatrixXd w(4, 4);
  w << 0.3, -1.0, 0.2, 0.5,  //
      0.7, 1.1, -0.4, 0.0,   //
      0.1, 0.9, -0.2, 0.6,   //
      -0.8, 0.3, 0.4, 1.3;
  const Eigen::VectorXd dot = kernel.gram_gradient_dot(x, w);
  for (Eigen::Index p = 0; p < 3; ++p) {
    Eigen::VectorXd up = theta, down = theta;
    up[p] += h, down[p] -= h;
    const double fd = ((w.array() * Matern52::from_log_params(up, groups).gram(x).array()).sum() -
                       (w.array() * Matern52::from_log_params(down, groups).gram(x).array()).sum()) / (2 * h);
    CHECK(dot[p] == doctest::Approx(fd).epsilon(1e-6));
  }
}

TEST_CASE("optimizers: GP kernel rejects bad parameters") {
  CHECK_THROWS_AS(Matern52(Eigen::Vector2d(0.1, 0.0), 1.0), std::invalid_argument);
  CHECK_THROWS_AS(Matern52(Eigen::Vector2d(0.1, 0.2), -1.0), std::invalid_argument);
  CHECK_THROWS_AS(Matern52(Eigen::Vector2d(0.1, 0.2), 1.0, {0, 2}), std::invalid_argument);
}
