#pragma once
// The GP optimizer's feasibility model for constraints: one GP per constraint on its margin
// (optimizers::Measures: <= 0 holds), with the objective's fitted hyperparameters (the same
// inputs, refitting per constraint would multiply the fitting cost), and
//     P(feasible | x) = prod_k P(m_k(x) <= 0) = prod_k Phi(-mu_k(x) / sigma_k(x)),
// the constraints modelled as independent (Gardner, Kusner, Xu, Weinberger & Cunningham,
// "Bayesian Optimization with Inequality Constraints", ICML 2014; Gelbart, Snoek & Adams,
// UAI 2014). The acquisition is EI(x) P(feasible | x), EI measured from the best feasible
// value (log EI + log P in the optimizer's score); with no feasible point yet, P alone.
// A margin never reported (NaN) takes the worst observed one (training_set.hpp's rule for
// failures).
#include <Eigen/Core>

#include <vector>

#include "optimizers/gp/gp_model.hpp"

namespace rungs::optimizers::gp {

class FeasibilityModel {
 public:
  // x: the training features (rows); margins[k][r]: constraint k's margin at row r.
  FeasibilityModel(const Eigen::MatrixXd& x, const std::vector<std::vector<double>>& margins,
                   const Hyperparameters& hyperparameters, const std::vector<Eigen::Index>& groups);

  bool empty() const { return models_.empty(); }
  // log P(feasible) at each row of `features`, >= log(1e-300).
  Eigen::VectorXd log_probability(const Eigen::MatrixXd& features) const;

 private:
  struct Constraint {
    GpModel model;
    double mean, scale;  // the margin's standardization
  };
  std::vector<Constraint> models_;
};

}  // namespace rungs::optimizers::gp
