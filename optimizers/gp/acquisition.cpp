#include "optimizers/gp/acquisition.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace rungs::optimizers {

const char* to_string(GpAcquisition acquisition) {
  switch (acquisition) {
    case GpAcquisition::expected_improvement: return "ei";
    case GpAcquisition::lower_confidence_bound: return "lcb";
  }
  return "?";
}

}  // namespace rungs::optimizers

namespace rungs::optimizers::gp {

namespace {

const double kInvSqrt2Pi = 1 / std::sqrt(2 * std::numbers::pi);

// log h(z), h(z) = z Phi(z) + phi(z) > 0.
double log_h(double z) {
  if (z > -30) {
    // erfc keeps Phi(z) to full relative precision for negative z; the cancellation in
    // z Phi + phi costs about z^2 ulps, harmless down to -30.
    const double h = z * normal_cdf(z) + normal_pdf(z);
    if (h > 0) return std::log(h);
  }
  const double z2 = z * z;
  return -0.5 * z2 + std::log(kInvSqrt2Pi) - std::log(z2) + std::log1p(-3 / z2);
}

}  // namespace

double normal_pdf(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

double expected_improvement(double mean, double sigma, double best, double xi) {
  const double improvement = best - mean - xi;
  if (!(sigma > 0)) return std::max(improvement, 0.0);
  const double z = improvement / sigma;
  return improvement * normal_cdf(z) + sigma * normal_pdf(z);
}

double log_expected_improvement(double mean, double sigma, double best, double xi) {
  const double improvement = best - mean - xi;
  if (!(sigma > 0))
    return improvement > 0 ? std::log(improvement) : -std::numeric_limits<double>::infinity();
  return std::log(sigma) + log_h(improvement / sigma);
}

double lower_confidence_bound(double mean, double sigma, double kappa) { return mean - kappa * sigma; }

double acquisition_score(GpAcquisition acquisition, double mean, double sigma, double best, double xi,
                         double kappa) {
  if (acquisition == GpAcquisition::lower_confidence_bound) return -lower_confidence_bound(mean, sigma, kappa);
  return log_expected_improvement(mean, sigma, best, xi);
}

}  // namespace rungs::optimizers::gp
