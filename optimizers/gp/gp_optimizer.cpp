#include "optimizers/gp/gp_optimizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <stdexcept>

#include "optimizers/gp/acquisition.hpp"
#include "optimizers/gp/acquisition_search.hpp"
#include "optimizers/gp/feasibility.hpp"
#include "optimizers/gp/gp_fit.hpp"
#include "optimizers/gp/training_set.hpp"
#include "optimizers/prior_weighting.hpp"
#include "space/sampling.hpp"

namespace rungs::optimizers {

namespace {

constexpr std::size_t kMaxPending = 64;
constexpr std::size_t kSeeds = 2;  // best observed points the local search also starts from

[[noreturn]] void bad(const char* field, const std::string& value, const char* rule) {
  throw std::invalid_argument(fmt::format("GpSettings.{} = {}: {}", field, value, rule));
}

std::mt19937_64 make_engine(std::uint64_t seed) {
  // std::seed_seq's mixing is specified by the standard: the same state everywhere.
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
  return std::mt19937_64(seq);
}

}  // namespace

void validate(const GpSettings& s) {
  if (s.acquisition != GpAcquisition::expected_improvement && s.acquisition != GpAcquisition::lower_confidence_bound)
    bad("acquisition", std::to_string(static_cast<int>(s.acquisition)), "unknown acquisition function");
  if (!(s.xi >= 0) || !std::isfinite(s.xi)) bad("xi", fmt::format("{}", s.xi), "must be finite and >= 0");
  if (!(s.kappa >= 0) || !std::isfinite(s.kappa)) bad("kappa", fmt::format("{}", s.kappa), "must be finite and >= 0");
  if (!(s.random_fraction >= 0 && s.random_fraction <= 1))
    bad("random_fraction", fmt::format("{}", s.random_fraction), "must be in [0, 1]");
  if (s.candidates < 1) bad("candidates", "0", "must be >= 1");
  if (s.min_points == 1) bad("min_points", "1", "must be 0 (automatic) or >= 2");
  if (s.max_points < 2) bad("max_points", std::to_string(s.max_points), "must be >= 2");
  if (s.min_points > s.max_points)
    bad("min_points", std::to_string(s.min_points),
        fmt::format("must not exceed max_points = {}", s.max_points).c_str());
  if (s.refit_every < 1) bad("refit_every", "0", "must be >= 1");
  if (s.restarts < 1) bad("restarts", "0", "must be >= 1");
  if (s.fit_points < 2) bad("fit_points", std::to_string(s.fit_points), "must be >= 2");
}

GpOptimizer::GpOptimizer(const space::SearchSpace& space, GpSettings settings, std::uint64_t seed)
    : space_(space),
      settings_(settings),
      features_(space_),
      min_points_(settings.min_points),
      rng_(make_engine(seed)) {
  validate(settings_);
  if (min_points_ == 0) min_points_ = std::min(space_.dimension() + 3, settings_.max_points);
}

std::optional<std::size_t> GpOptimizer::model_level() const {
  if (space_.empty()) return std::nullopt;
  for (auto it = levels_.rbegin(); it != levels_.rend(); ++it)
    if (it->second.data.size() >= min_points_) return it->first;
  return std::nullopt;
}

std::size_t GpOptimizer::observations(std::size_t level) const {
  const auto it = levels_.find(level);
  return it == levels_.end() ? 0 : it->second.data.size();
}

std::optional<gp::Hyperparameters> GpOptimizer::hyperparameters(std::size_t level) const {
  const auto it = levels_.find(level);
  return it == levels_.end() ? std::nullopt : it->second.hyperparameters;
}

space::Config GpOptimizer::suggest(const fidelity::Budget&) {
  // The coin is always drawn, so a run's random stream does not depend on which branch the
  // previous suggestions took.
  const double coin = space::uniform01(rng_);
  last_ = GpDiagnostics{};
  space::Config config;
  const std::optional<std::size_t> level = model_level();
  bool done = false;
  if (level && coin >= settings_.random_fraction) {
    try {
      config = model_suggestion(*level);
      done = true;
    } catch (const gp::NumericalError&) {
      last_ = GpDiagnostics{};  // the model could not be built: a random draw instead
    }
  }
  // Before a model, the prior/uniform mix; once a level is modelled, random_fraction's draws
  // stay uniform: they guard against a misleading model and a misleading prior alike.
  if (!done) config = level ? space_.sample(rng_) : sample_with_prior(space_, rng_);
  add_pending(config);
  return config;
}

void GpOptimizer::observe(const space::Config& config, const fidelity::Budget& budget, double value) {
  observe_measured(config, budget, value, {});
}

void GpOptimizer::observe_measured(const space::Config& config, const fidelity::Budget& budget, double value,
                                   const Measures& measures) {
  Observation o;
  o.margins = measures.constraints;
  o.encoded = space_.encode(config);
  o.features = features_(o.encoded);
  o.value = std::isfinite(value) ? value : HUGE_VAL;
  levels_[budget.level].data.push_back(std::move(o));
  const auto it = std::find_if(pending_.begin(), pending_.end(), [&](const Pending& p) { return p.config == config; });
  if (it != pending_.end()) pending_.erase(it);
}

void GpOptimizer::add_pending(const space::Config& config) {
  if (space_.empty()) return;
  pending_.push_back({config, features_(space_.encode(config))});
  if (pending_.size() > kMaxPending) pending_.pop_front();
}

gp::Hyperparameters GpOptimizer::start_hyperparameters(std::size_t level) const {
  // Warm start: this level's last fit, else the nearest level's (lower first), else the
  // prior's centre.
  const auto here = levels_.find(level);
  if (here != levels_.end() && here->second.hyperparameters) return *here->second.hyperparameters;
  const gp::Hyperparameters* nearest = nullptr;
  std::size_t distance = 0;
  for (const auto& [other, state] : levels_) {
    if (!state.hyperparameters) continue;
    const std::size_t d = other < level ? level - other : other - level + 1;  // ties: lower wins
    if (!nearest || d < distance) nearest = &*state.hyperparameters, distance = d;
  }
  if (nearest) return *nearest;
  return {Eigen::VectorXd::Constant(features_.groups(), 0.5), 1.0, 1e-2};
}

space::Config GpOptimizer::model_suggestion(std::size_t level_index) {
  Level& level = levels_.at(level_index);

  // Training set and targets (bounded: training_set.hpp).
  std::vector<double> all_values;
  all_values.reserve(level.data.size());
  for (const Observation& o : level.data) all_values.push_back(o.value);
  const std::vector<std::size_t> chosen = gp::select_training(all_values, settings_.max_points);
  std::vector<double> values;
  values.reserve(chosen.size());
  for (std::size_t i : chosen) values.push_back(all_values[i]);
  const gp::Targets targets = gp::standardize(values);
  const auto n = static_cast<Eigen::Index>(chosen.size());
  Eigen::MatrixXd x(n, features_.features());
  for (Eigen::Index r = 0; r < n; ++r) x.row(r) = level.data[chosen[static_cast<std::size_t>(r)]].features.transpose();

  // Hyperparameters: refit every refit_every observations, on at most fit_points of them.
  const std::vector<Eigen::Index>& groups = features_.feature_groups();
  if (!level.hyperparameters || level.data.size() >= level.fitted_at + settings_.refit_every) {
    const std::vector<std::size_t> fit_rows = gp::select_training(values, settings_.fit_points);
    Eigen::MatrixXd fx(static_cast<Eigen::Index>(fit_rows.size()), x.cols());
    Eigen::VectorXd fy(fx.rows());
    for (Eigen::Index r = 0; r < fx.rows(); ++r) {
      fx.row(r) = x.row(static_cast<Eigen::Index>(fit_rows[static_cast<std::size_t>(r)]));
      fy[r] = targets.y[static_cast<Eigen::Index>(fit_rows[static_cast<std::size_t>(r)])];
    }
    gp::FitOptions options;
    options.restarts = settings_.restarts;
    const gp::FitResult fit =
        gp::fit_hyperparameters(fx, fy, groups, start_hyperparameters(level_index), options, rng_);
    level.hyperparameters = fit.hyperparameters;
    level.fitted_at = level.data.size();
    last_.refitted = true;
  }
  const gp::Hyperparameters& h = *level.hyperparameters;

  // Posterior on the observations, then with the pending points at their predicted means.
  gp::GpModel observed(x, targets.y, h, groups);
  last_.log_marginal_likelihood = observed.log_marginal_likelihood();
  std::optional<gp::GpModel> believer;
  if (!pending_.empty()) {
    const auto m = static_cast<Eigen::Index>(pending_.size());
    Eigen::MatrixXd px(m, x.cols());
    for (Eigen::Index r = 0; r < m; ++r) px.row(r) = pending_[static_cast<std::size_t>(r)].features.transpose();
    const Eigen::VectorXd fantasy = observed.predict(px).mean;
    Eigen::MatrixXd all_x(n + m, x.cols());
    all_x << x, px;
    Eigen::VectorXd all_y(n + m);
    all_y << targets.y, fantasy;
    believer.emplace(std::move(all_x), std::move(all_y), h, groups);
  }
  const gp::GpModel& model = believer ? *believer : observed;

  // Constraints: a GP per constraint margin on the same rows (gp/feasibility.hpp); EI from the
  // best feasible value, or the probability of feasibility alone while none is feasible.
  std::size_t constraint_count = 0;
  for (std::size_t i : chosen) constraint_count = std::max(constraint_count, level.data[i].margins.size());
  std::vector<std::vector<double>> margins(constraint_count);
  double best = targets.y.minCoeff();
  bool any_feasible = constraint_count == 0;
  if (constraint_count > 0) {
    best = HUGE_VAL;
    for (Eigen::Index r = 0; r < n; ++r) {
      const Observation& o = level.data[chosen[static_cast<std::size_t>(r)]];
      bool feasible = o.margins.size() == constraint_count;
      for (std::size_t k = 0; k < constraint_count; ++k) {
        const double m = k < o.margins.size() ? o.margins[k] : std::numeric_limits<double>::quiet_NaN();
        margins[k].push_back(m);
        feasible = feasible && m <= 0;
      }
      if (feasible && std::isfinite(o.value)) best = std::min(best, targets.y[r]), any_feasible = true;
    }
  }
  std::optional<gp::FeasibilityModel> feasibility;
  if (constraint_count > 0) feasibility.emplace(x, margins, h, groups);
  const GpSettings& s = settings_;
  // piBO (prior_weighting.hpp): log EI(x) + (beta / n) log pi(x), n = this level's observations.
  const double exponent = prior_exponent(space_, level.data.size());
  const gp::BatchScore score = [&](const Eigen::MatrixXd& encoded) {
    Eigen::MatrixXd f(encoded.rows(), features_.features());
    for (Eigen::Index r = 0; r < encoded.rows(); ++r) features_.write(encoded.row(r).transpose(), f, r);
    const gp::GpModel::Prediction p = model.predict(f);
    Eigen::VectorXd out(encoded.rows());
    for (Eigen::Index r = 0; r < out.size(); ++r)
      out[r] = any_feasible ? gp::acquisition_score(s.acquisition, p.mean[r], std::sqrt(p.variance[r]), best, s.xi, s.kappa)
                            : 0.0;
    if (feasibility) out += feasibility->log_probability(f);
    if (exponent > 0)
      for (Eigen::Index r = 0; r < out.size(); ++r) {
        const Eigen::VectorXd row = encoded.row(r).transpose();
        out[r] += exponent * log_search_prior(space_, row.data());
      }
    return out;
  };

  // Local search also starts from the best observed points.
  std::vector<Eigen::Index> by_value(static_cast<std::size_t>(n));
  for (Eigen::Index r = 0; r < n; ++r) by_value[static_cast<std::size_t>(r)] = r;
  const std::size_t seeds_n = std::min<std::size_t>(kSeeds, by_value.size());
  std::partial_sort(by_value.begin(), by_value.begin() + static_cast<std::ptrdiff_t>(seeds_n), by_value.end(),
                    [&](Eigen::Index a, Eigen::Index b) {
                      return targets.y[a] < targets.y[b] || (targets.y[a] == targets.y[b] && a < b);
                    });
  std::vector<Eigen::VectorXd> seeds;
  for (std::size_t k = 0; k < seeds_n; ++k)
    seeds.push_back(level.data[chosen[static_cast<std::size_t>(by_value[k])]].encoded);

  gp::SearchOptions search;
  search.candidates = s.candidates;
  search.steps = s.local_search_steps;
  gp::Proposal proposal = gp::maximize_acquisition(space_, score, seeds, search, rng_);

  last_.from_model = true;
  last_.level = level_index;
  last_.training_points = chosen.size();
  last_.pending_points = pending_.size();
  last_.score = proposal.score;
  return std::move(proposal.config);
}

}  // namespace rungs::optimizers
