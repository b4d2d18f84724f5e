// mlp.hpp: a one-hidden-layer perceptron with softmax output, and its two optimizers.
//
// Model, for a batch X (B x d, one sample per row):
//   Z1 = X W1 + 1 b1^T,  A = act(Z1)            act = ReLU or tanh, W1: d x h
//   Z2 = A W2 + 1 b2^T,  P = softmax(Z2) by row  W2: h x c
//   L  = -(1/B) sum_i log P[i, y_i]              mean cross-entropy
// Backpropagation:
//   dZ2 = (P - Y) / B          (Y one-hot)
//   dW2 = A^T dZ2,  db2 = column sums of dZ2,  dA = dZ2 W2^T
//   dZ1 = dA .* act'(Z1)       (ReLU: 1[Z1 > 0], tanh: 1 - A^2)
//   dW1 = X^T dZ1,  db1 = column sums of dZ1
// All parameters live in one flat vector theta = [W1 | b1 | W2 | b2] (W column-major), so the
// optimizers are plain element-wise vector updates and a checkpoint is one array.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "data.hpp"

namespace quickstart {

enum class Activation : std::uint32_t { relu = 0, tanh = 1 };
enum class OptimizerKind : std::uint32_t { sgd = 0, adam = 1 };

struct Evaluation {
  double loss = 0;      // mean cross-entropy (NaN once the weights are non-finite)
  double accuracy = 0;  // rows with non-finite outputs count as wrong
};

class Mlp {
 public:
  Mlp(int inputs, int hidden, int outputs, Activation activation)
      : d_(inputs), h_(hidden), c_(outputs), activation_(activation),
        theta_(Eigen::VectorXd::Zero(n_params())) {}

  Eigen::Index n_params() const { return Eigen::Index{d_} * h_ + h_ + Eigen::Index{h_} * c_ + c_; }
  int hidden() const { return h_; }
  Activation activation() const { return activation_; }
  Eigen::VectorXd& theta() { return theta_; }
  const Eigen::VectorXd& theta() const { return theta_; }

  // 1 for weights, 0 for biases: weight decay applies to weights only (the usual choice;
  // decaying biases only shifts the decision thresholds).
  Eigen::VectorXd decay_mask() const {
    Eigen::VectorXd mask = Eigen::VectorXd::Zero(n_params());
    mask.segment(off_w1(), Eigen::Index{d_} * h_).setOnes();
    mask.segment(off_w2(), Eigen::Index{h_} * c_).setOnes();
    return mask;
  }

  // Weights ~ N(0, s^2) with s = sqrt(2/fan_in) for ReLU (He et al. 2015) and
  // sqrt(1/fan_in) for tanh (LeCun/Xavier): keeps activations O(1) at the start. Biases 0.
  // Box-Muller on mt19937_64 because std::normal_distribution differs between libraries.
  void init(std::uint64_t seed) {
    std::mt19937_64 engine(splitmix64(seed ^ 0x1a17ULL));
    auto uniform = [&] { return (double(engine() >> 11) + 0.5) * 0x1.0p-53; };  // (0, 1)
    auto normal = [&] {
      return std::sqrt(-2.0 * std::log(uniform())) * std::cos(6.283185307179586 * uniform());
    };
    const double gain = activation_ == Activation::relu ? 2.0 : 1.0;
    theta_.setZero();
    for (Eigen::Index i = 0; i < Eigen::Index{d_} * h_; ++i) {
      theta_[off_w1() + i] = normal() * std::sqrt(gain / d_);
    }
    for (Eigen::Index i = 0; i < Eigen::Index{h_} * c_; ++i) {
      theta_[off_w2() + i] = normal() * std::sqrt(gain / h_);
    }
  }

  // Mean cross-entropy over the batch; writes dL/dtheta into grad (resized as needed).
  double loss_and_gradient(const RowMatrix& x, const std::vector<int>& y,
                           Eigen::VectorXd& grad) const {
    Forward f = forward(x);
    const double loss = cross_entropy_and_softmax(f.z2, y);  // f.z2 now holds P
    Eigen::MatrixXd& dz2 = f.z2;
    for (Eigen::Index i = 0; i < dz2.rows(); ++i) dz2(i, y[static_cast<std::size_t>(i)]) -= 1.0;
    dz2 /= double(x.rows());

    grad.resize(n_params());
    w2_map(grad).noalias() = f.a.transpose() * dz2;
    vec_map(grad, off_b2(), c_) = dz2.colwise().sum().transpose();
    Eigen::MatrixXd dz1 = dz2 * w2().transpose();
    if (activation_ == Activation::relu) {
      dz1.array() *= (f.z1.array() > 0.0).cast<double>();
    } else {
      dz1.array() *= 1.0 - f.a.array().square();
    }
    w1_map(grad).noalias() = x.transpose() * dz1;
    vec_map(grad, off_b1(), h_) = dz1.colwise().sum().transpose();
    return loss;
  }

  Evaluation evaluate(const Dataset& data) const {
    Forward f = forward(data.x);
    const Eigen::MatrixXd logits = f.z2;
    Evaluation e;
    e.loss = cross_entropy_and_softmax(f.z2, data.labels);
    Eigen::Index correct = 0;
    for (Eigen::Index i = 0; i < logits.rows(); ++i) {
      if (!logits.row(i).allFinite()) continue;
      Eigen::Index best = 0;
      logits.row(i).maxCoeff(&best);
      correct += best == data.labels[static_cast<std::size_t>(i)];
    }
    e.accuracy = double(correct) / double(logits.rows());
    return e;
  }

 private:
  struct Forward {
    Eigen::MatrixXd z1, a, z2;
  };

  Eigen::Index off_w1() const { return 0; }
  Eigen::Index off_b1() const { return Eigen::Index{d_} * h_; }
  Eigen::Index off_w2() const { return off_b1() + h_; }
  Eigen::Index off_b2() const { return off_w2() + Eigen::Index{h_} * c_; }

  Eigen::Map<Eigen::MatrixXd> w1_map(Eigen::VectorXd& v) const {
    return {v.data() + off_w1(), d_, h_};
  }
  Eigen::Map<Eigen::MatrixXd> w2_map(Eigen::VectorXd& v) const {
    return {v.data() + off_w2(), h_, c_};
  }
  static Eigen::Map<Eigen::VectorXd> vec_map(Eigen::VectorXd& v, Eigen::Index off, int n) {
    return {v.data() + off, n};
  }
  Eigen::Map<const Eigen::MatrixXd> w1() const { return {theta_.data() + off_w1(), d_, h_}; }
  Eigen::Map<const Eigen::MatrixXd> w2() const { return {theta_.data() + off_w2(), h_, c_}; }
  Eigen::Map<const Eigen::RowVectorXd> b1() const { return {theta_.data() + off_b1(), h_}; }
  Eigen::Map<const Eigen::RowVectorXd> b2() const { return {theta_.data() + off_b2(), c_}; }

  Forward forward(const RowMatrix& x) const {
    Forward f;
    f.z1.noalias() = x * w1();
    f.z1.rowwise() += b1();
    f.a = activation_ == Activation::relu ? Eigen::MatrixXd(f.z1.cwiseMax(0.0))
                                          : Eigen::MatrixXd(f.z1.array().tanh().matrix());
    f.z2.noalias() = f.a * w2();
    f.z2.rowwise() += b2();
    return f;
  }

  // Replaces logits z by softmax probabilities (row-wise) and returns the mean cross-entropy.
  // Shifting by the row maximum keeps exp() from overflowing: log-sum-exp trick.
  static double cross_entropy_and_softmax(Eigen::MatrixXd& z, const std::vector<int>& y) {
    const Eigen::VectorXd row_max = z.rowwise().maxCoeff();
    z.colwise() -= row_max;
    double total = 0;
    for (Eigen::Index i = 0; i < z.rows(); ++i) {
      total -= z(i, y[static_cast<std::size_t>(i)]);  // -(z_y - max)
    }
    z = z.array().exp();
    const Eigen::VectorXd row_sum = z.rowwise().sum();
    total += row_sum.array().log().sum();  // + log sum exp(z - max)
    z.array().colwise() /= row_sum.array();
    return total / double(z.rows());
  }

  int d_, h_, c_;
  Activation activation_;
  Eigen::VectorXd theta_;
};

struct OptimizerSettings {
  OptimizerKind kind = OptimizerKind::adam;
  double lr = 1e-2;
  double momentum = 0.9;  // sgd
  double beta1 = 0.9;     // adam
  double beta2 = 0.999;   // adam
  double epsilon = 1e-8;  // adam
  double weight_decay = 0;
};

// Optimizer state is part of the checkpoint: resuming without it would restart Adam's
// moment estimates and bias correction (a visible bump in the learning curve).
struct OptimizerState {
  Eigen::VectorXd m;        // sgd: velocity; adam: first-moment estimate
  Eigen::VectorXd v;        // adam: second-moment estimate (sgd: unused, zeros)
  std::uint64_t steps = 0;  // updates taken so far (adam's t)

  void reset(Eigen::Index n) {
    m = Eigen::VectorXd::Zero(n);
    v = Eigen::VectorXd::Zero(n);
    steps = 0;
  }
};

// One update. g is the gradient of the data loss; the L2 penalty (wd/2)|W|^2 is added here
// as g += wd * W (classic L2, so for Adam this is "Adam + L2", not decoupled AdamW).
//   sgd  (heavy ball, PyTorch convention): m = mu m + g;  theta -= lr m
//   adam (Kingma & Ba 2015, Algorithm 1):  m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g^2;
//        theta -= lr (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
inline void optimizer_step(const OptimizerSettings& s, Eigen::VectorXd& theta, Eigen::VectorXd& g,
                           const Eigen::VectorXd& decay_mask, OptimizerState& state) {
  if (s.weight_decay != 0) g.array() += s.weight_decay * decay_mask.array() * theta.array();
  ++state.steps;
  if (s.kind == OptimizerKind::sgd) {
    state.m = s.momentum * state.m + g;
    theta -= s.lr * state.m;
    return;
  }
  const double t = double(state.steps);
  state.m = s.beta1 * state.m + (1 - s.beta1) * g;
  state.v = s.beta2 * state.v + (1 - s.beta2) * g.cwiseAbs2();
  const double c1 = 1 - std::pow(s.beta1, t);
  const double c2 = 1 - std::pow(s.beta2, t);
  theta.array() -= s.lr * (state.m.array() / c1) / ((state.v.array() / c2).sqrt() + s.epsilon);
}

}  // namespace quickstart
