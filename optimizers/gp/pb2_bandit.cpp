#include "optimizers/gp/pb2_bandit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "optimizers/gp/gp_model.hpp"
#include "optimizers/gp/tv_gp.hpp"
#include "space/sampling.hpp"

namespace rungs::optimizers::gp {

namespace {

// UCB over points given by their chosen coordinates (rows of `u`, one column per entry of
// `dims`), the other coordinates those of `base`.
class Ucb {
 public:
  Ucb(const FeatureMap& features, const Eigen::VectorXd& base, const std::vector<Eigen::Index>& dims, double time,
      const TimeVaryingGp& mean_model, const TimeVaryingGp& variance_model, double kappa)
      : features_(features), base_(base), dims_(dims), time_(time), mean_model_(mean_model),
        variance_model_(variance_model), kappa_(kappa) {}

  Eigen::VectorXd operator()(const Eigen::MatrixXd& u) const {
    Eigen::MatrixXd x(u.rows(), features_.features());
    for (Eigen::Index r = 0; r < u.rows(); ++r) features_.write(encoded(u.row(r).transpose()), x, r);
    const Eigen::VectorXd t = Eigen::VectorXd::Constant(u.rows(), time_);
    const Eigen::VectorXd mean = mean_model_.predict(x, t).mean;
    const Eigen::VectorXd sd = variance_model_.predict(x, t).variance.cwiseSqrt();
    return mean + kappa_ * sd;
  }

  Eigen::VectorXd encoded(const Eigen::VectorXd& u) const {
    Eigen::VectorXd point = base_;
    for (std::size_t i = 0; i < dims_.size(); ++i) point[dims_[i]] = u[static_cast<Eigen::Index>(i)];
    return point;
  }

 private:
  const FeatureMap& features_;
  const Eigen::VectorXd& base_;
  const std::vector<Eigen::Index>& dims_;
  double time_;
  const TimeVaryingGp& mean_model_;
  const TimeVaryingGp& variance_model_;
  double kappa_;
};

Eigen::MatrixXd uniform_points(Eigen::Index rows, Eigen::Index cols, std::mt19937_64& rng) {
  Eigen::MatrixXd u(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) u(r, c) = space::uniform01(rng);
  return u;
}

}  // namespace

Pb2Bandit::Pb2Bandit(space::SearchSpace space, Pb2Settings settings)
    : space_(std::move(space)), settings_(settings), features_(space_) {
  if (settings_.window < 2 || settings_.candidates == 0)
    throw std::invalid_argument(fmt::format("pb2: window must be at least 2 and candidates at least 1 (got {}, {})",
                                            settings_.window, settings_.candidates));
}

double Pb2Bandit::kappa(std::size_t rows) {
  constexpr double c1 = 0.2, c2 = 0.4;
  return std::sqrt(c1 + std::max(0.0, std::log(c2 * static_cast<double>(rows))));
}

space::Config Pb2Bandit::select(const space::Config& start, double time, const std::vector<IntervalResult>& history,
                                const std::vector<space::Config>& pending, std::mt19937_64& rng) {
  if (history.size() < std::max<std::size_t>(settings_.min_history, 1)) return start;
  const Eigen::VectorXd base = space_.encode(start);
  std::vector<Eigen::Index> dims;  // the active numeric coordinates: the bandit's choice
  for (std::size_t i = 0; i < space_.dimension(); ++i)
    if (!std::isnan(base[static_cast<Eigen::Index>(i)]) &&
        !std::holds_alternative<space::CategoricalDomain>(space_.parameters()[i].domain))
      dims.push_back(static_cast<Eigen::Index>(i));
  if (dims.empty()) return start;

  const std::size_t first = history.size() > settings_.window ? history.size() - settings_.window : 0;
  const auto n = static_cast<Eigen::Index>(history.size() - first);
  const auto m = static_cast<Eigen::Index>(pending.size());
  Eigen::MatrixXd x(n + m, features_.features());
  Eigen::VectorXd t(n + m), y = Eigen::VectorXd::Zero(n + m);
  for (Eigen::Index r = 0; r < n; ++r) {
    const IntervalResult& row = history[first + static_cast<std::size_t>(r)];
    features_.write(space_.encode(row.config), x, r);
    t[r] = row.time;
    y[r] = row.improvement;
  }
  for (Eigen::Index r = 0; r < m; ++r) {
    features_.write(space_.encode(pending[static_cast<std::size_t>(r)]), x, n + r);
    t[n + r] = time;
  }
  // Standardized and clipped targets (see the header); all equal: no signal, zeros.
  const double mean = y.head(n).mean();
  const double sd = std::sqrt((y.head(n).array() - mean).square().mean());
  if (sd > 1e-12) {
    y.head(n) = ((y.head(n).array() - mean) / sd).cwiseMax(-2.0).cwiseMin(2.0).matrix();
  } else {
    y.head(n).setZero();
  }

  try {
    const TvHyperparameters h = fit_tv_gp(x.topRows(n), t.head(n), y.head(n), rng, settings_.restarts);
    const TimeVaryingGp mean_model(x.topRows(n), t.head(n), y.head(n), h);
    const TimeVaryingGp variance_model = m > 0 ? TimeVaryingGp(x, t, y, h) : mean_model;
    const Ucb ucb(features_, base, dims, time, mean_model, variance_model, kappa(static_cast<std::size_t>(n)));

    const auto d = static_cast<Eigen::Index>(dims.size());
    Eigen::MatrixXd u = uniform_points(static_cast<Eigen::Index>(settings_.candidates) + 1, d, rng);
    for (Eigen::Index c = 0; c < d; ++c) u(0, c) = base[dims[static_cast<std::size_t>(c)]];  // the start itself
    const Eigen::VectorXd scores = ucb(u);
    std::vector<Eigen::Index> order(static_cast<std::size_t>(u.rows()));
    std::iota(order.begin(), order.end(), Eigen::Index{0});
    const std::size_t keep = std::min(settings_.refine, order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(),
                      [&](Eigen::Index a, Eigen::Index b) { return scores[a] > scores[b] || (scores[a] == scores[b] && a < b); });
    double best_score = scores[order[0]];
    Eigen::VectorXd best = u.row(order[0]).transpose();
    for (std::size_t k = 0; k < keep; ++k) {
      Eigen::VectorXd at = u.row(order[k]).transpose();
      double at_score = scores[order[k]];
      for (std::size_t round = 0; round < settings_.rounds; ++round) {
        const double scale = 0.1 * std::pow(0.5, static_cast<double>(round));
        Eigen::MatrixXd steps(16, d);
        for (Eigen::Index r = 0; r < steps.rows(); ++r)
          for (Eigen::Index c = 0; c < d; ++c) steps(r, c) = std::clamp(at[c] + scale * space::standard_normal(rng), 0.0, 1.0);
        const Eigen::VectorXd step_scores = ucb(steps);
        Eigen::Index arg = 0;
        if (step_scores.maxCoeff(&arg) > at_score) {
          at_score = step_scores[arg];
          at = steps.row(arg).transpose();
        }
      }
      if (at_score > best_score) best_score = at_score, best = at;
    }
    Eigen::VectorXd point = ucb.encoded(best);
    // A parameter made active by a new int parent value has no coordinate yet: sampled.
    for (Eigen::Index i = 0; i < point.size(); ++i)
      if (std::isnan(point[i])) point[i] = space::uniform01(rng);
    return space_.decode(point);
  } catch (const NumericalError&) {
    return start;  // the GP could not be fitted: PBT's explore result stands
  }
}

}  // namespace rungs::optimizers::gp
