#include "problems/learning_curve.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace rungs::problems {

double curve_speed(const Eigen::VectorXd& encoded) {
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double theta = 0;
  for (Eigen::Index i = 0; i < encoded.size(); ++i) {
    const double z = std::isnan(encoded[i]) ? 0.5 : encoded[i];
    const double golden = static_cast<double>(i + 1) * phi;
    const double w = 3 + 2 * (golden - std::floor(golden));
    theta += w * z;
  }
  const double u = (1 + std::sin(2 * std::numbers::pi * theta)) / 2;
  return kMinCurveSpeed * std::pow(kMaxCurveSpeed / kMinCurveSpeed, u);
}

double learning_curve(double start, double final_value, double speed, double progress) {
  const double t = std::clamp(progress, 0.0, 1.0);
  const double floor_term = std::exp(-speed);
  const double g = (std::exp(-speed * t) - floor_term) / (1 - floor_term);
  return final_value + (start - final_value) * g;
}

}  // namespace rungs::problems
