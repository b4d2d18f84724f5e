#pragma once
// Gaussian-process regression with the time-varying kernel of Bogunovic, Scarlett & Cevher,
// "Time-Varying Gaussian Process Bandit Optimization" (AISTATS 2016), eq. (3)-(4), as PB2
// uses it (Parker-Holder et al., NeurIPS 2020, sec. 3.2): a function that drifts over time,
// points at times t and t' correlated less the further apart they are,
//
//   k((t, x), (t', x')) = s2 (1 - eps)^{|t - t'| / 2} exp(-|x - x'|^2 / (2 l^2))
//
// with x the hyperparameters' features on [0,1] (gp_encoding.hpp), t in intervals, eps in
// (0, 1) the forgetting rate (eps -> 0: a static function; larger: old intervals tell less),
// one isotropic length scale l, and Gaussian noise sn2. Posterior and log marginal likelihood
// as Rasmussen & Williams, Algorithm 2.1 (the same algebra as gp_model.hpp, whose Matern 5/2
// kernel does not take a time axis), with the gradient of eq. 5.9 in the log parameters
// theta = (log l, log s2, log sn2, log eps):
//   dK/d log s2 = K_f,   dK/d log l = K_f r^2 / l^2,   dK/d log sn2 = sn2 I,
//   dK/d log eps = K_f (|t - t'| / 2) (-eps / (1 - eps)),          K_f = K without the noise.
// fit_tv_gp maximizes log p(y) + a weak log-normal prior (as gp_fit.hpp, same reasons: few
// points) by L-BFGS (lbfgs.hpp) over a sigmoid-mapped box, from a fixed start and restarts.
#include <Eigen/Cholesky>
#include <Eigen/Core>

#include <random>

namespace rungs::optimizers::gp {

struct TvHyperparameters {
  double length_scale = 0.5;
  double signal_variance = 1;
  double noise_variance = 0.05;
  double epsilon = 0.1;

  Eigen::Vector4d to_log() const;
  static TvHyperparameters from_log(const Eigen::Vector4d& theta);
};

class TimeVaryingGp {
 public:
  // Conditions on rows of x (n x features) at times t (n), targets y (n; standardized by the
  // caller). Adds jitter as GpModel does; throws NumericalError (gp_model.hpp) if that fails,
  // std::invalid_argument on mismatched sizes or n = 0.
  TimeVaryingGp(Eigen::MatrixXd x, Eigen::VectorXd t, Eigen::VectorXd y, const TvHyperparameters& h);

  struct Prediction {
    Eigen::VectorXd mean;
    Eigen::VectorXd variance;  // of the latent function, >= 0
  };
  Prediction predict(const Eigen::MatrixXd& x, const Eigen::VectorXd& t) const;

  double log_marginal_likelihood() const;
  // d log p(y) / d TvHyperparameters::to_log().
  Eigen::Vector4d log_marginal_likelihood_gradient() const;

  // K_ij = k((ta_i, A_i), (tb_j, B_j)), without noise.
  static Eigen::MatrixXd cross(const Eigen::MatrixXd& a, const Eigen::VectorXd& ta, const Eigen::MatrixXd& b,
                               const Eigen::VectorXd& tb, const TvHyperparameters& h);

 private:
  Eigen::MatrixXd x_;
  Eigen::VectorXd t_, y_;
  TvHyperparameters h_;
  Eigen::MatrixXd k_;  // K_f
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;
};

// Box: l in [0.05, 5], s2 in [0.05, 20], sn2 in [1e-4, 1], eps in [1e-3, 0.5] (Ray Tune's
// PB2 caps eps at 0.5 too: beyond, two intervals apart share under half their signal).
// Prior: log l ~ N(log 0.5, 1.5^2), log s2 ~ N(0, 1.5^2), log sn2 ~ N(log 0.05, 2^2),
// log eps ~ N(log 0.1, 1.5^2). Starts: the defaults above, then `restarts - 1` drawn from
// `rng` uniformly in the box. Returns the defaults if no start can be evaluated.
TvHyperparameters fit_tv_gp(const Eigen::MatrixXd& x, const Eigen::VectorXd& t, const Eigen::VectorXd& y,
                            std::mt19937_64& rng, int restarts = 3);

}  // namespace rungs::optimizers::gp
