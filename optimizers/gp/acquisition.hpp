#pragma once
// Acquisition functions: how much a candidate is worth evaluating, given the GP's posterior
// mean mu and standard deviation sigma there. Everything MINIMIZES the objective; every
// function below returns a score to MAXIMIZE.
//
// Expected Improvement (Mockus 1978; Jones, Schonlau & Welch, J. Global Optim. 1998), with
// an exploration margin xi >= 0 (Lizotte 2008), f* the best observed target:
//
//   EI(x) = (f* - mu - xi) Phi(z) + sigma phi(z),   z = (f* - mu - xi) / sigma
//         = sigma (z Phi(z) + phi(z))               (sigma > 0)
//         = max(f* - mu - xi, 0)                    (sigma = 0, the limit)
//
// EI underflows to exactly 0 far from the incumbent (z < -38), and is 0 wherever the model
// is confident, so whole candidate sets tie at 0 and the search goes blind. We rank by
// log EI instead, computed stably (Ament et al., "Unexpected Improvements to Expected
// Improvement for Bayesian Optimization", NeurIPS 2023): log sigma + log h(z) with
// h(z) = z Phi(z) + phi(z), and for z < -30 the asymptotic expansion of Mills' ratio,
// h(z) ~ phi(z) / z^2 (1 - 3 / z^2).
//
// Lower confidence bound (GP-UCB, Srinivas et al., ICML 2010, for minimization):
//   LCB(x) = mu - kappa sigma; the score is -LCB.
#include <cstdint>

namespace rungs::optimizers {

enum class GpAcquisition : std::uint8_t {
  expected_improvement,    // default
  lower_confidence_bound,  // "UCB" for minimization
};

// "ei", "lcb": for messages and YAML.
const char* to_string(GpAcquisition acquisition);

}  // namespace rungs::optimizers

namespace rungs::optimizers::gp {

// The standard normal density and distribution function.
double normal_pdf(double z);
double normal_cdf(double z);

// EI as above; sigma >= 0.
double expected_improvement(double mean, double sigma, double best, double xi);
// log EI, finite for every sigma > 0 whatever z; -inf when EI is exactly 0 (sigma = 0 and no
// improvement).
double log_expected_improvement(double mean, double sigma, double best, double xi);
// mu - kappa sigma: the value LCB minimizes.
double lower_confidence_bound(double mean, double sigma, double kappa);

// The score to maximize for one candidate: log EI, or -LCB.
double acquisition_score(GpAcquisition acquisition, double mean, double sigma, double best, double xi,
                         double kappa);

}  // namespace rungs::optimizers::gp
