#pragma once
// PB2's explore step (Parker-Holder, Nguyen & Roberts, "Provably Efficient Online
// Hyperparameter Optimization with Population-Based Bandits", NeurIPS 2020, Algorithm 1 and
// sec. 3.2): instead of perturbing the donor's values at random, choose them with a
// time-varying GP bandit fitted on what every interval of the population did so far.
// Called through optimizers/interval_bandit.hpp by the PBT scheduler (`explore: pb2`).
//
// Data: one row per finished interval (IntervalResult), the last `window` of them: input
// (t, features of the configuration) with t in intervals and the features of gp_encoding.hpp
// (numeric values on [0,1], log parameters on the log scale, categoricals one-hot, inactive
// parameters at the arc's origin), target the improvement per budget unit, standardized
// (mean 0, sd 1) and clipped to [-2, 2] as in the authors' implementation (Ray Tune's PB2),
// so that one interval's jump does not set the scale. Model: tv_gp.hpp (time-varying squared
// exponential, Bogunovic et al. 2016), hyperparameters by maximum likelihood at each call.
//
// Choice: GP-UCB (Srinivas, Krause, Kakade & Seeger, ICML 2010) at the new run's time t:
//   x_t = argmax_x  mu(t, x) + sqrt(beta_t) sigma(t, x),   beta_t = c1 + max(0, log(c2 N))
// with c1 = 0.2, c2 = 0.4, N the rows: the schedule of the PB2 authors' implementation (the
// paper's Theorem 1 needs beta_t = O(d log t), whose constants are loose in practice; this one
// grows as log N too). sigma comes from the GP conditioned also on the `pending` runs at t
// (values unknown, only their positions: a posterior variance does not depend on targets):
// the batch rule of GP-BUCB (Desautels, Krause & Burdick, JMLR 2014) that PB2 uses, so that
// members choosing while others train spread out instead of all taking the same point.
//
// Which values it chooses: the float and int parameters active in `start`, over their bounds
// ([0,1] in the encoding, decoded back: ints rounded, log parameters on the log scale).
// Categoricals and conditions are PBT's (pbt_explore.hpp: kept, or resampled with
// resample_probability; a parameter that becomes active sampled); the GP sees them as
// features, so the numeric choice is conditioned on them. (PB2-Mix, Parker-Holder et al. 2021,
// runs a separate bandit over categoricals; not done.) If an int parent's new value makes a
// parameter active, that parameter is sampled (SearchSpace::decode keeps conditions exact).
// With fewer than `min_history` rows, or no numeric parameter active, returns `start`.
//
// Maximization: `candidates` points uniform in the box, the start and the best
// `refine` of them each improved by rounds of Gaussian steps around it (scale 0.1, halved per
// round). All draws come from the caller's engine, so the choice is deterministic.
#include <cstddef>
#include <random>
#include <vector>

#include "optimizers/gp/gp_encoding.hpp"
#include "optimizers/interval_bandit.hpp"
#include "space/search_space.hpp"

namespace rungs::optimizers::gp {

struct Pb2Settings {
  std::size_t window = 100;      // the latest intervals the GP sees (O(window^3) per fit)
  std::size_t min_history = 2;   // below: PBT's explore result as it is
  std::size_t candidates = 256;  // uniform points of the UCB search
  std::size_t refine = 4;        // the best candidates refined locally
  std::size_t rounds = 6;        // of 16 Gaussian steps each
  int restarts = 3;              // of the GP's hyperparameter fit
};

class Pb2Bandit : public IntervalBandit {
 public:
  explicit Pb2Bandit(space::SearchSpace space, Pb2Settings settings = {});

  space::Config select(const space::Config& start, double time, const std::vector<IntervalResult>& history,
                       const std::vector<space::Config>& pending, std::mt19937_64& rng) override;

  // sqrt(beta_t) for N rows (see above).
  static double kappa(std::size_t rows);

 private:
  space::SearchSpace space_;
  Pb2Settings settings_;
  FeatureMap features_;
};

}  // namespace rungs::optimizers::gp
