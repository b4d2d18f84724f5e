#include "scheduler/power_law_ensemble.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rungs::scheduler {

namespace {

constexpr float kLeak = 0.01f;
constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kEpsilon = 1e-8f;

// max(v, 0.01 v) is v for v > 0 and 0.01 v below: Eigen vectorizes it (a branch per element it does not).
template <typename M>
M leaky(const M& z) {
  return z.cwiseMax(kLeak * z);
}
template <typename M>
M leaky_slope(const M& z) {
  return z.unaryExpr([](float v) { return v > 0 ? 1.0f : kLeak; });
}
// softplus(v) = ln(1 + e^v), stable for large |v|; its derivative is the logistic function.
float softplus(float v) { return v > 20 ? v : std::log1p(std::exp(v)); }
float logistic(float v) { return 1.0f / (1.0f + std::exp(-v)); }

// Glorot-uniform weights (Glorot & Bengio 2010), a fixed draw order for determinism.
Eigen::MatrixXf glorot(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  const float limit = std::sqrt(6.0f / static_cast<float>(rows + cols));
  std::uniform_real_distribution<float> uniform(-limit, limit);
  Eigen::MatrixXf w(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) w(i, j) = uniform(rng);
  return w;
}

template <typename P, typename G, typename A>
void adam_update(P& parameter, const G& gradient, A& m, A& v, std::size_t t, float rate) {
  m = kBeta1 * m + (1 - kBeta1) * gradient;
  v = kBeta2 * v + (1 - kBeta2) * gradient.cwiseProduct(gradient);
  const float c1 = 1 - std::pow(kBeta1, static_cast<float>(t));
  const float c2 = 1 - std::pow(kBeta2, static_cast<float>(t));
  parameter -= (rate / c1) * (m.array() / ((v.array() / c2).sqrt() + kEpsilon)).matrix();
}

}  // namespace

PowerLawEnsemble::PowerLawEnsemble(std::size_t inputs, double min_budget, PowerLawEnsembleOptions options,
                                   std::uint64_t seed)
    : inputs_(inputs), min_budget_(min_budget), options_(options), rng_(seed) {
  if (inputs == 0) throw std::invalid_argument("the curve model needs at least one input (got 0)");
  if (options.members == 0 || options.hidden == 0 || options.batch == 0)
    throw std::invalid_argument(fmt::format("the curve model needs members, hidden and batch >= 1 (got {}, {}, {})",
                                            options.members, options.hidden, options.batch));
  if (options.members > kMaxMembers)
    throw std::invalid_argument(fmt::format("the curve model takes at most {} members (got {})", kMaxMembers, options.members));
  if (!(min_budget > 0)) throw std::invalid_argument(fmt::format("min budget must be positive (got {})", min_budget));
  if (!(options.learning_rate > 0)) throw std::invalid_argument(fmt::format("learning rate must be positive (got {})", options.learning_rate));
  for (std::size_t m = 0; m < options.members; ++m) members_.push_back(make_member());
}

PowerLawEnsemble::Member PowerLawEnsemble::make_member() {
  const auto h = static_cast<Eigen::Index>(options_.hidden), d = static_cast<Eigen::Index>(inputs_);
  Member member;
  member.w1 = glorot(h, d, rng_);
  member.w2 = glorot(h, h, rng_);
  member.w3 = glorot(3, h, rng_);
  member.b1 = Eigen::VectorXf::Zero(h);
  member.b2 = Eigen::VectorXf::Zero(h);
  member.b3 = Eigen::VectorXf::Zero(3);
  member.b3(1) = -1.0f;  // beta = softplus(-1) = 0.31, gamma = softplus(0) = 0.69: a gentle curve to start
  auto zero_like = [](const auto& p) { return Adam{Eigen::MatrixXf::Zero(p.rows(), p.cols()), Eigen::MatrixXf::Zero(p.rows(), p.cols())}; };
  member.a_w1 = zero_like(member.w1);
  member.a_w2 = zero_like(member.w2);
  member.a_w3 = zero_like(member.w3);
  member.a_b1 = zero_like(member.b1);
  member.a_b2 = zero_like(member.b2);
  member.a_b3 = zero_like(member.b3);
  return member;
}

void PowerLawEnsemble::add(const Eigen::VectorXf& x, double budget, double value) {
  if (static_cast<std::size_t>(x.size()) != inputs_)
    throw std::invalid_argument(fmt::format("curve point with {} features, the model has {}", x.size(), inputs_));
  if (!(budget > 0) || !std::isfinite(value))
    throw std::invalid_argument(fmt::format("curve point at budget {} with value {}", budget, value));
  features_.insert(features_.end(), x.data(), x.data() + x.size());
  log_t_.push_back(static_cast<float>(std::log(budget / min_budget_)));
  values_.push_back(static_cast<float>(value));
}

Eigen::RowVectorXf PowerLawEnsemble::forward(const Member& member, const Eigen::MatrixXf& x,
                                             const Eigen::RowVectorXf& log_t) const {
  const Eigen::MatrixXf a1 = leaky(Eigen::MatrixXf((member.w1 * x).colwise() + member.b1));
  const Eigen::MatrixXf a2 = leaky(Eigen::MatrixXf((member.w2 * a1).colwise() + member.b2));
  const Eigen::MatrixXf o = (member.w3 * a2).colwise() + member.b3;
  Eigen::RowVectorXf y(x.cols());
  for (Eigen::Index j = 0; j < x.cols(); ++j)
    y(j) = o(0, j) + softplus(o(1, j)) * std::exp(-softplus(o(2, j)) * log_t(j));
  return y;
}

std::vector<std::size_t> PowerLawEnsemble::draw_batch() {
  std::vector<std::size_t> batch;
  const std::size_t n = points();
  const std::size_t fresh = std::min(n - fresh_from_, options_.batch / 2);
  for (std::size_t i = n - fresh; i < n; ++i) batch.push_back(i);
  std::uniform_int_distribution<std::size_t> any(0, n - 1);
  while (batch.size() < std::min(options_.batch, n)) batch.push_back(any(rng_));
  return batch;
}

void PowerLawEnsemble::step(Member& member, const std::vector<std::size_t>& batch) {
  const auto b = static_cast<Eigen::Index>(batch.size()), d = static_cast<Eigen::Index>(inputs_);
  Eigen::MatrixXf x(d, b);
  Eigen::RowVectorXf log_t(b), target(b);
  for (Eigen::Index j = 0; j < b; ++j) {
    const std::size_t i = batch[static_cast<std::size_t>(j)];
    x.col(j) = Eigen::Map<const Eigen::VectorXf>(features_.data() + i * inputs_, d);
    log_t(j) = log_t_[i];
    target(j) = (values_[i] - shift_) / scale_;
  }
  // Forward, keeping what backpropagation needs.
  const Eigen::MatrixXf z1 = (member.w1 * x).colwise() + member.b1;
  const Eigen::MatrixXf a1 = leaky(z1);
  const Eigen::MatrixXf z2 = (member.w2 * a1).colwise() + member.b2;
  const Eigen::MatrixXf a2 = leaky(z2);
  const Eigen::MatrixXf o = (member.w3 * a2).colwise() + member.b3;
  // L1 loss (1/B) sum |y - target|: dL/dy = sign(y - target) / B, through y = o0 + sp(o1) e^(-sp(o2) ln t).
  Eigen::MatrixXf d_o(3, b);
  const float inv_b = 1.0f / static_cast<float>(b);
  for (Eigen::Index j = 0; j < b; ++j) {
    const float beta = softplus(o(1, j)), gamma = softplus(o(2, j));
    const float power = std::exp(-gamma * log_t(j));
    const float y = o(0, j) + beta * power;
    const float dy = (y > target(j) ? 1.0f : y < target(j) ? -1.0f : 0.0f) * inv_b;
    d_o(0, j) = dy;
    d_o(1, j) = dy * power * logistic(o(1, j));
    d_o(2, j) = dy * beta * power * -log_t(j) * logistic(o(2, j));
  }
  const Eigen::MatrixXf d_z2 = (member.w3.transpose() * d_o).cwiseProduct(leaky_slope(z2));
  const Eigen::MatrixXf d_z1 = (member.w2.transpose() * d_z2).cwiseProduct(leaky_slope(z1));
  const std::size_t t = ++member.steps;
  const auto rate = static_cast<float>(options_.learning_rate);
  adam_update(member.w3, Eigen::MatrixXf(d_o * a2.transpose()), member.a_w3.m, member.a_w3.v, t, rate);
  adam_update(member.b3, Eigen::MatrixXf(d_o.rowwise().sum()), member.a_b3.m, member.a_b3.v, t, rate);
  adam_update(member.w2, Eigen::MatrixXf(d_z2 * a1.transpose()), member.a_w2.m, member.a_w2.v, t, rate);
  adam_update(member.b2, Eigen::MatrixXf(d_z2.rowwise().sum()), member.a_b2.m, member.a_b2.v, t, rate);
  adam_update(member.w1, Eigen::MatrixXf(d_z1 * x.transpose()), member.a_w1.m, member.a_w1.v, t, rate);
  adam_update(member.b1, Eigen::MatrixXf(d_z1.rowwise().sum()), member.a_b1.m, member.a_b1.v, t, rate);
}

void PowerLawEnsemble::train(std::size_t steps) {
  const std::size_t n = points();
  if (n == 0) return;
  double sum = 0, sum2 = 0;
  for (float v : values_) sum += v;
  const double mean = sum / static_cast<double>(n);
  for (float v : values_) sum2 += (v - mean) * (v - mean);
  const double sd = std::sqrt(sum2 / static_cast<double>(n));
  shift_ = static_cast<float>(mean);
  scale_ = sd > 1e-12 * std::max(1.0, std::abs(mean)) ? static_cast<float>(sd) : 1.0f;
  if (!trained_) steps = std::max(steps, options_.first_steps);
  for (std::size_t s = 0; s < steps; ++s)
    for (Member& member : members_) step(member, draw_batch());
  fresh_from_ = n;
  trained_ = true;
}

Eigen::VectorXf PowerLawEnsemble::predict_member(std::size_t member, const Eigen::MatrixXf& x, double budget) const {
  const Eigen::RowVectorXf log_t = Eigen::RowVectorXf::Constant(x.cols(), static_cast<float>(std::log(budget / min_budget_)));
  return (forward(members_.at(member), x, log_t).array() * scale_ + shift_).transpose();
}

std::vector<MemberCurves> PowerLawEnsemble::curves(const Eigen::MatrixXf& x) const {
  if (static_cast<std::size_t>(x.rows()) != inputs_)
    throw std::invalid_argument(fmt::format("predicting {} features, the model has {}", x.rows(), inputs_));
  const auto m = static_cast<Eigen::Index>(members_.size());
  std::vector<MemberCurves> out(static_cast<std::size_t>(x.cols()));
  for (auto& c : out) {
    c.alpha.resize(m);
    c.beta.resize(m);
    c.gamma.resize(m);
  }
  for (Eigen::Index k = 0; k < m; ++k) {
    const Member& member = members_[static_cast<std::size_t>(k)];
    const Eigen::MatrixXf a1 = leaky(Eigen::MatrixXf((member.w1 * x).colwise() + member.b1));
    const Eigen::MatrixXf a2 = leaky(Eigen::MatrixXf((member.w2 * a1).colwise() + member.b2));
    const Eigen::MatrixXf o = (member.w3 * a2).colwise() + member.b3;
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      auto& c = out[static_cast<std::size_t>(j)];
      c.alpha(k) = o(0, j) * scale_ + shift_;  // y = shift + scale (o0 + sp(o1) t^-sp(o2))
      c.beta(k) = softplus(o(1, j)) * scale_;
      c.gamma(k) = softplus(o(2, j));
    }
  }
  return out;
}

std::vector<CurvePrediction> PowerLawEnsemble::predict(const Eigen::MatrixXf& x, double budget) const {
  if (static_cast<std::size_t>(x.rows()) != inputs_)
    throw std::invalid_argument(fmt::format("predicting {} features, the model has {}", x.rows(), inputs_));
  Eigen::MatrixXd each(static_cast<Eigen::Index>(members_.size()), x.cols());
  for (std::size_t m = 0; m < members_.size(); ++m)
    each.row(static_cast<Eigen::Index>(m)) = predict_member(m, x, budget).cast<double>().transpose();
  std::vector<CurvePrediction> out(static_cast<std::size_t>(x.cols()));
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    const double mean = each.col(j).mean();
    out[static_cast<std::size_t>(j)] = {mean, std::sqrt((each.col(j).array() - mean).square().mean())};
  }
  return out;
}

}  // namespace rungs::scheduler
