// Expected Improvement and the lower confidence bound at known points.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "optimizers/gp/acquisition.hpp"

using namespace rungs::optimizers;
using namespace rungs::optimizers::gp;

TEST_CASE("optimizers: GP expected improvement at known points") {
  // z = 0 (mean + xi = best): EI = sigma phi(0) = sigma / sqrt(2 pi).
  CHECK(expected_improvement(1.0, 2.0, 1.0, 0.0) == doctest::Approx(2.0 / std::sqrt(2 * std::numbers::pi)));
  CHECK(expected_improvement(0.9, 0.5, 1.0, 0.1) == doctest::Approx(0.5 / std::sqrt(2 * std::numbers::pi)));
  // z = 1: EI = Phi(1) + phi(1) (tabulated values).
  CHECK(expected_improvement(0.0, 1.0, 1.0, 0.0) == doctest::Approx(0.8413447460685429 + 0.24197072451914337));
  // sigma -> 0: the plain improvement, or nothing.
  CHECK(expected_improvement(0.2, 0.0, 1.0, 0.0) == doctest::Approx(0.8));
  CHECK(expected_improvement(0.2, 1e-12, 1.0, 0.0) == doctest::Approx(0.8));
  CHECK(expected_improvement(1.5, 0.0, 1.0, 0.0) == 0.0);
  CHECK(expected_improvement(1.5, 1e-12, 1.0, 0.0) == doctest::Approx(0.0));
  // More uncertainty never hurts; a better mean never hurts.
  CHECK(expected_improvement(0.5, 1.0, 0.0, 0.0) > expected_improvement(0.5, 0.5, 0.0, 0.0));
  CHECK(expected_improvement(-0.5, 0.5, 0.0, 0.0) > expected_improvement(0.5, 0.5, 0.0, 0.0));
}

TEST_CASE("optimizers: GP log EI agrees with EI and stays finite far from the incumbent") {
  for (double z : {2.0, 0.0, -1.0, -5.0, -20.0, -29.0}) {
    CAPTURE(z);
    const double sigma = 0.7, mean = -z * sigma;  // best 0, xi 0
    CHECK(log_expected_improvement(mean, sigma, 0.0, 0.0) ==
          doctest::Approx(std::log(expected_improvement(mean, sigma, 0.0, 0.0))).epsilon(1e-8));
  }
  // EI itself underflows to 0 here; log EI still ranks: closer is better.
  CHECK(expected_improvement(50.0, 1.0, 0.0, 0.0) == 0.0);
  const double far = log_expected_improvement(50.0, 1.0, 0.0, 0.0);
  const double farther = log_expected_improvement(60.0, 1.0, 0.0, 0.0);
  CHECK(std::isfinite(far));
  CHECK(far > farther);
  // Continuous across the switch to the asymptotic expansion at z = -30: over dz = 0.002 it
  // moves by its slope, d log h / dz = Phi(z) / h(z) = 30.07 at z = -30, and does not jump.
  const double step = log_expected_improvement(29.999, 1.0, 0.0, 0.0) - log_expected_improvement(30.001, 1.0, 0.0, 0.0);
  CHECK(step == doctest::Approx(0.002 * 30.07).epsilon(2e-3));
  CHECK(log_expected_improvement(1.0, 0.0, 0.0, 0.0) == -INFINITY);
}

TEST_CASE("optimizers: GP lower confidence bound and the score switch") {
  CHECK(lower_confidence_bound(1.0, 0.5, 2.0) == doctest::Approx(0.0));
  CHECK(acquisition_score(GpAcquisition::lower_confidence_bound, 1.0, 0.5, 0.3, 0.0, 2.0) == doctest::Approx(0.0));
  CHECK(acquisition_score(GpAcquisition::lower_confidence_bound, 1.0, 1.0, 0.3, 0.0, 2.0) == doctest::Approx(1.0));
  CHECK(acquisition_score(GpAcquisition::expected_improvement, 0.0, 1.0, 1.0, 0.0, 2.0) ==
        doctest::Approx(std::log(0.8413447460685429 + 0.24197072451914337)));
  CHECK(std::string(to_string(GpAcquisition::expected_improvement)) == "ei");
}
