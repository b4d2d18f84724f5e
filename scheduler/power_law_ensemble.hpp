#pragma once
// Deep power laws: the learning-curve model of the freeze-thaw scheduler (freeze_thaw.hpp).
// Kadra, Janowski, Wistuba, Grabocka, "Scaling Laws for Hyperparameter Optimization", NeurIPS
// 2023 ("DPL"): an ensemble of small networks, each mapping an encoded configuration x to the
// three parameters of a power law in the budget b,
//
//     y(x, b) = alpha(x) + beta(x) * (b / b_min)^(-gamma(x)),   beta = softplus(o_1), gamma = softplus(o_2)
//
// (alpha = o_0 unconstrained: the asymptote; beta, gamma > 0: the curve decreases towards it,
// values being minimized). Each member is x -> 2 hidden layers (LeakyReLU 0.01) -> (o_0, o_1,
// o_2), trained on EVERY observed curve point (x, b, y) with the L1 loss, as in the paper, by
// Adam. The prediction at a budget is the members' mean and their standard deviation:
//     mu(x, b) = (1/M) sum_m y_m(x, b),   sigma(x, b) = sqrt((1/M) sum_m (y_m(x, b) - mu)^2).
// Members differ by their initial weights and their minibatches (the paper's ensemble).
// Why b / b_min and not b / b_max: the factor lies in (0, 1], so alpha is the curve's limit
// and alpha + beta its value at the smallest budget, whatever the ladder's range.
//
// Incremental training (the paper retrains for 20 epochs per iteration; that is too slow for
// 5,000 points in 50 ms): train(steps) continues from the current weights (warm start) with a
// bounded number of minibatch steps per member; every minibatch holds the points added since
// the last train() (up to half of it) and uniform draws from all points, so a new observation
// is fitted at once and the old ones are not forgotten. Targets are standardized by the mean
// and standard deviation of all observed values, recomputed at each train().
//
// Deterministic: weights, minibatches and everything else come from one engine seeded at
// construction, and the arithmetic is single-threaded Eigen in float; the same sequence of
// add() / train() / predict() calls gives the same numbers.
#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace rungs::scheduler {

struct PowerLawEnsembleOptions {
  std::size_t members = 5;       // at most kMaxMembers
  std::size_t hidden = 32;       // units in each of the 2 hidden layers
  std::size_t batch = 64;
  double learning_rate = 2e-3;   // Adam
  std::size_t first_steps = 300; // steps per member at the first train() (from scratch)
};

struct CurvePrediction {
  double mean = 0;
  double std = 0;
};

// At most this many members: MemberCurves keeps them inline. A decision builds one per
// candidate (300 by default); with heap vectors that was about 1,500 allocations per decision,
// where malloc and free were a seventh of rungs' CPU per run (perf record, LCBench).
inline constexpr std::size_t kMaxMembers = 16;

// Every member's power law for one configuration, in the values' units:
//     y_m(b) = alpha(m) + beta(m) * (b / b_min)^(-gamma(m)),
// so that predictions at any budget, and differences between budgets, cost no forward pass.
struct MemberCurves {
  using PerMember = Eigen::Matrix<float, Eigen::Dynamic, 1, 0, static_cast<int>(kMaxMembers), 1>;
  PerMember alpha, beta, gamma;  // one entry per member
  float at(Eigen::Index member, float log_t) const { return alpha(member) + beta(member) * std::exp(-gamma(member) * log_t); }
};

class PowerLawEnsemble {
 public:
  // `inputs`: the length of an encoded configuration; `min_budget` > 0: b_min above.
  // Throws std::invalid_argument for 0 or more than kMaxMembers members, 0 hidden, batch or
  // inputs, or min_budget <= 0.
  PowerLawEnsemble(std::size_t inputs, double min_budget, PowerLawEnsembleOptions options, std::uint64_t seed);

  // One observed curve point: configuration features, budget, value (finite).
  void add(const Eigen::VectorXf& x, double budget, double value);
  std::size_t points() const { return values_.size(); }
  bool trained() const { return trained_; }

  // Adam steps on every member (first_steps instead at the first call with data); nothing
  // without points.
  void train(std::size_t steps);

  // Predictions for each column of `x` (inputs x n) at `budget`.
  std::vector<CurvePrediction> predict(const Eigen::MatrixXf& x, double budget) const;
  // Every member's curve for each column of `x` (inputs x n), for a model trained at least once.
  std::vector<MemberCurves> curves(const Eigen::MatrixXf& x) const;
  // ln(b / b_min): the abscissa MemberCurves::at takes.
  float log_budget(double budget) const { return static_cast<float>(std::log(budget / min_budget_)); }
  std::size_t members() const { return members_.size(); }
  // One member's prediction, for tests.
  Eigen::VectorXf predict_member(std::size_t member, const Eigen::MatrixXf& x, double budget) const;

 private:
  struct Adam {
    Eigen::MatrixXf m, v;
  };
  struct Member {
    Eigen::MatrixXf w1, w2, w3;  // hidden x inputs, hidden x hidden, 3 x hidden
    Eigen::VectorXf b1, b2, b3;
    Adam a_w1, a_w2, a_w3, a_b1, a_b2, a_b3;
    std::size_t steps = 0;
  };

  Member make_member();
  // Normalized predictions (standardized units) of one member.
  Eigen::RowVectorXf forward(const Member& member, const Eigen::MatrixXf& x, const Eigen::RowVectorXf& log_t) const;
  void step(Member& member, const std::vector<std::size_t>& batch);
  std::vector<std::size_t> draw_batch();

  std::size_t inputs_;
  double min_budget_;
  PowerLawEnsembleOptions options_;
  std::mt19937_64 rng_;
  std::vector<Member> members_;
  std::vector<float> features_;  // points() x inputs, row by row
  std::vector<float> log_t_;     // ln(b / b_min)
  std::vector<float> values_;
  std::size_t fresh_from_ = 0;   // points added since the last train() start here
  float shift_ = 0, scale_ = 1;  // standardization of the targets
  bool trained_ = false;
};

}  // namespace rungs::scheduler
