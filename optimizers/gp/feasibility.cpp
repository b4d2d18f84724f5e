#include "optimizers/gp/feasibility.hpp"

#include <algorithm>
#include <cmath>

#include "optimizers/gp/acquisition.hpp"
#include "optimizers/gp/training_set.hpp"

namespace rungs::optimizers::gp {

FeasibilityModel::FeasibilityModel(const Eigen::MatrixXd& x, const std::vector<std::vector<double>>& margins,
                                   const Hyperparameters& hyperparameters, const std::vector<Eigen::Index>& groups) {
  for (const auto& column : margins) {
    const Targets targets = standardize(column);
    models_.push_back({GpModel(x, targets.y, hyperparameters, groups), targets.mean, targets.scale});
  }
}

Eigen::VectorXd FeasibilityModel::log_probability(const Eigen::MatrixXd& features) const {
  Eigen::VectorXd out = Eigen::VectorXd::Zero(features.rows());
  for (const auto& c : models_) {
    const GpModel::Prediction p = c.model.predict(features);
    for (Eigen::Index r = 0; r < out.size(); ++r) {
      // m = mean + scale * f: P(m <= 0) = Phi((-mean / scale - mu) / sigma).
      const double sigma = std::sqrt(std::max(p.variance[r], 1e-12));
      const double z = (-c.mean / c.scale - p.mean[r]) / sigma;
      out[r] += std::log(std::max(normal_cdf(z), 1e-300));
    }
  }
  return out;
}

}  // namespace rungs::optimizers::gp
