#pragma once
// A small limited-memory BFGS minimizer for smooth functions of a few dozen variables (the
// GP's log hyperparameters). Nocedal & Wright, "Numerical Optimization" (2nd ed. 2006):
// the two-loop recursion (Algorithm 7.4) gives d = -H g from the last `memory` pairs
// (s, y) = (x_k+1 - x_k, g_k+1 - g_k) with H0 = (s^T y / y^T y) I; a backtracking line search
// (step 1, halved until f(x + a d) <= f(x) + 1e-4 a g^T d) keeps it monotone. Pairs with
// s^T y <= 0 are skipped so H stays positive definite. Unconstrained: callers map bounds
// away (gp_fit.cpp uses a sigmoid).
//
// A non-finite value at a trial point counts as a failed step (the line search backtracks),
// so objectives may return +inf or NaN where they cannot be evaluated.
#include <Eigen/Core>

#include <functional>

namespace rungs::optimizers::gp {

struct LbfgsOptions {
  int max_iterations = 50;
  int memory = 6;
  double gradient_tolerance = 1e-5;   // stop when max |g_i| <= this
  double relative_tolerance = 1e-10;  // stop when |f_k - f_k+1| <= this max(1, |f_k|)
  int max_backtracks = 30;
};

struct LbfgsResult {
  Eigen::VectorXd x;
  double value = 0;
  int iterations = 0;
  int evaluations = 0;
};

// f(x, gradient) returns f(x) and writes its gradient (same size as x).
using Objective = std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd& gradient)>;

// Minimizes f from x0. Deterministic. If f(x0) is not finite, returns x0 with that value.
LbfgsResult minimize_lbfgs(const Objective& f, Eigen::VectorXd x0, const LbfgsOptions& options = {});

}  // namespace rungs::optimizers::gp
