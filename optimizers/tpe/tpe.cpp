#include "optimizers/tpe/tpe.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "optimizers/prior_weighting.hpp"
#include "optimizers/tpe/level_agreement.hpp"
#include "space/encoding.hpp"
#include "space/sampling.hpp"

namespace rungs::optimizers {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

std::mt19937_64 engine(std::uint64_t seed) {
  // std::seed_seq's mixing is specified by the standard: the same state everywhere.
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32)};
  return std::mt19937_64(seq);
}

TpeSettings checked(const TpeSettings& settings) {
  validate(settings);
  return settings;
}

// log(exp(a) + exp(b)) without overflow or underflow; -inf is the neutral element.
double log_add(double a, double b) {
  if (a == -kInf) return b;
  if (b == -kInf) return a;
  const double top = std::max(a, b);
  return top + std::log1p(std::exp(std::min(a, b) - top));
}

}  // namespace

Tpe::Tpe(const space::SearchSpace& space, TpeSettings settings, std::uint64_t seed)
    : space_(space),
      settings_(checked(settings)),
      n_min_(optimizers::min_points_in_model(settings_, space_.dimension())),
      coordinates_(tpe::coordinates_of(space_, settings_.min_bandwidth)),
      rng_(engine(seed)),
      observations_(space_.dimension()) {}

void Tpe::observe(const space::Config& config, const fidelity::Budget& budget, double value) {
  observations_.add(budget.level, budget.units, space_.encode(config), value);
}

void Tpe::observe_past(const space::Config& config, const fidelity::Budget& budget, double value) {
  past_.add(budget.level, budget.units, space_.encode(config), value);
}

std::optional<std::size_t> Tpe::past_level(std::optional<std::size_t> top) const {
  const auto& levels = past_.levels();
  for (auto it = levels.rbegin(); it != levels.rend(); ++it)
    if ((!top || it->first <= *top) && tpe::can_model(it->second, n_min_)) return it->first;
  return std::nullopt;
}

std::optional<double> Tpe::past_weight() const {
  const auto top = model_level();
  const auto past = past_level(top);
  if (!past) return 0.0;
  if (!top) return std::nullopt;
  const auto components = this->components();
  return components.back().model == &past_models_.at(*past) ? components.back().weight : 0.0;
}

void Tpe::observe_measured(const space::Config& config, const fidelity::Budget& budget, double value,
                           const Measures& measures) {
  observations_.add(budget.level, budget.units, space_.encode(config), value, measures);
}

std::size_t Tpe::observations(std::size_t level) const {
  const auto* l = observations_.level(level);
  return l ? l->size() : 0;
}

std::optional<std::size_t> Tpe::model_level() const {
  const auto& levels = observations_.levels();
  std::optional<std::size_t> base;  // BOHB's b*
  for (auto it = levels.rbegin(); it != levels.rend() && !base; ++it)
    if (tpe::can_model(it->second, n_min_)) base = it->first;
  if (!base || !settings_.rank_agreement) return base;
  // Leaning on a higher level sooner (tpe.hpp, "Rank agreement"): a level above b* is modelled
  // with fewer points, the fewer the worse b* ranks its configurations.
  const tpe::Level& modelled = *observations_.level(*base);
  for (auto it = levels.rbegin(); it != levels.rend() && it->first > *base; ++it) {
    const double weight = tpe::agreement(modelled, it->second, space_.dimension()).weight;
    const auto needed = std::max(kSmallestModel, static_cast<std::size_t>(std::ceil(static_cast<double>(n_min_ + 2) * weight)));
    if (it->second.size() >= needed && it->second.finite >= 2) return it->first;
  }
  return base;
}

std::size_t Tpe::split_min(const tpe::Level& level) const {
  // A level modelled before it has N_min + 2 points (model_level()) gets sets it can fill:
  // BOHB's N_min each would leave the bad set one point.
  return level.size() >= n_min_ + 2 ? n_min_ : std::max<std::size_t>(1, (level.size() - 2) / 2);
}

const Tpe::LevelModel& Tpe::fitted(const tpe::Level& data, LevelModel& model) const {
  if (model.fitted == data.size()) return model;
  const auto s = tpe::split(data, split_min(data), settings_.top_n_percent);
  model.good = fit_rows(data, s.good);
  model.bad = fit_rows(data, s.bad);
  model.gamma = static_cast<double>(s.good.size()) / static_cast<double>(data.size());
  fit_constraints(data, model);
  model.fitted = data.size();
  return model;
}

tpe::Kde Tpe::fit_rows(const tpe::Level& data, const std::vector<std::size_t>& indices) const {
  const std::size_t d = space_.dimension();
  std::vector<const double*> points;
  points.reserve(indices.size());
  for (std::size_t i : indices) points.push_back(data.row(i, d));
  // Bandwidth floor (tpe.hpp): each continuous coordinate's floor raised to the resolution of
  // the set's active values there.
  std::vector<tpe::Coordinate> coordinates = coordinates_;
  for (std::size_t j = 0; j < d; ++j) {
    if (coordinates[j].choices > 0) continue;
    std::size_t active = 0;
    for (const double* p : points) active += std::isnan(p[j]) ? 0 : 1;
    coordinates[j].min_bandwidth = std::max(coordinates[j].min_bandwidth, tpe::resolution_floor(active));
  }
  return tpe::Kde(coordinates, points);
}

std::vector<Tpe::Component> Tpe::components() const {
  const auto top = model_level();
  const auto past = past_level(top);
  if (!top) {
    // Nothing of its own to model yet: the past campaigns' model alone (tpe.hpp, "Past campaigns").
    if (!past) return {};
    const tpe::Level& data = *past_.level(*past);
    return {{static_cast<double>(data.size()), &fitted(data, past_models_[*past])}};
  }
  std::vector<Component> out;
  out.push_back({static_cast<double>(observations(*top)), &fitted(*top)});
  if (settings_.use_lower_budgets) add_lower_levels(*top, out);
  if (past) {
    // n_p past observations count as n_p N_min / (N_min + n*) of b*'s, times how the past
    // ranks what both observed (tpe.hpp, "Past campaigns").
    const tpe::Level& data = *past_.level(*past);
    const double agreement = tpe::agreement(data, *observations_.level(*top), space_.dimension()).weight;
    const double n_min = static_cast<double>(n_min_), n_star = static_cast<double>(observations(*top));
    const double worth = static_cast<double>(data.size()) * n_min / (n_min + n_star);
    if (agreement > 0) out.push_back({worth * agreement, &fitted(data, past_models_[*past])});
  }
  return out;
}

void Tpe::add_lower_levels(std::size_t top, std::vector<Component>& out) const {
  // The lower levels share a prior worth N_min observations, in proportion to n_b u_b.
  std::vector<std::pair<std::size_t, double>> lower;  // level, budget spent there
  bool units_usable = true;
  for (const auto& [level, data] : observations_.levels()) {
    if (level >= top || !tpe::can_model(data, n_min_)) continue;
    lower.emplace_back(level, static_cast<double>(data.size()) * data.units);
    units_usable = units_usable && data.units > 0 && std::isfinite(data.units);
  }
  double total = 0;
  for (auto& [level, spent] : lower) {
    if (!units_usable) spent = static_cast<double>(observations(level));
    total += spent;
  }
  // Rank agreement: a lower level weighs as much as it ranks configurations as b* does.
  const tpe::Level& modelled = *observations_.level(top);
  for (const auto& [level, spent] : lower) {
    const double agreement = settings_.rank_agreement
                                 ? tpe::agreement(*observations_.level(level), modelled, space_.dimension()).weight
                                 : 1.0;
    if (agreement > 0) out.push_back({static_cast<double>(n_min_) * agreement * spent / total, &fitted(level)});
  }
}

void Tpe::mixture_log_density(const std::vector<Component>& components, bool good,
                              const std::vector<double>& candidates, std::size_t count,
                              std::vector<double>& out) const {
  out.assign(count, -kInf);
  std::vector<double> part(count);
  double total = 0;
  for (const auto& c : components) total += c.weight;
  for (const auto& c : components) {
    const tpe::Kde& kde = good ? c.model->good : c.model->bad;
    kde.log_density(candidates.data(), count, part.data());
    const double log_weight = std::log(c.weight / total);
    for (std::size_t i = 0; i < count; ++i) out[i] = log_add(out[i], log_weight + part[i]);
  }
  // The prior (tpe.hpp, "Prior"): one pseudo-observation drawn from the space's own sampling,
  // p0(x) = prod over the active categorical coordinates of 1/k (1 on continuous ones), next
  // to the n points of b*'s set: (n p(x) + p0(x)) / (n + 1).
  const tpe::Kde& own = good ? components.front().model->good : components.front().model->bad;
  const double n = static_cast<double>(own.size());
  const double log_keep = std::log(n / (n + 1.0));
  const double log_prior_weight = -std::log(n + 1.0);
  const std::size_t d = coordinates_.size();
  for (std::size_t i = 0; i < count; ++i) {
    double log_prior = 0;
    for (std::size_t j = 0; j < d; ++j) {
      const double x = candidates[i * d + j];
      if (coordinates_[j].choices > 1 && !std::isnan(x))
        log_prior -= std::log(static_cast<double>(coordinates_[j].choices));
    }
    out[i] = log_add(log_keep + out[i], log_prior_weight + log_prior);
  }
}

void Tpe::encode_valid(const space::Config& config, double* out) const {
  const auto& parameters = space_.parameters();
  for (std::size_t j = 0; j < parameters.size(); ++j) {
    const auto it = config.find(parameters[j].name);
    out[j] = it == config.end() ? std::numeric_limits<double>::quiet_NaN()
                                : space::encode_value(parameters[j].domain, it->second);
  }
}

std::optional<double> Tpe::log_ratio(const space::Config& config) const {
  const auto components = this->components();
  if (components.empty()) return std::nullopt;
  const Eigen::VectorXd x = space_.encode(config);
  const std::vector<double> point(x.data(), x.data() + x.size());
  std::vector<double> l, g;
  mixture_log_density(components, true, point, 1, l);
  mixture_log_density(components, false, point, 1, g);
  return l[0] - g[0];
}

space::Config Tpe::suggest(const fidelity::Budget&) {
  if (space_.empty()) return {};
  // Drawn first, always: the engine advances the same way whether or not a model exists.
  const bool random = space::uniform01(rng_) < settings_.random_fraction;
  const auto components = random ? std::vector<Component>{} : this->components();
  // Before a model, the prior/uniform mix; once a level is modelled, random_fraction's draws
  // stay uniform: they guard against a misleading model and a misleading prior alike.
  if (components.empty())
    return model_level() || past_level(std::nullopt) ? space_.sample(rng_) : sample_with_prior(space_, rng_);

  double total = 0;
  for (const auto& c : components) total += c.weight;
  const std::size_t d = space_.dimension();
  const std::size_t count = settings_.num_samples;
  std::vector<double> candidates(count * d);
  std::vector<space::Config> configs;
  configs.reserve(count);
  Eigen::VectorXd proposal(static_cast<Eigen::Index>(d));
  for (std::size_t c = 0; c < count; ++c) {
    // A component by weight, then a good point of it, perturbed.
    double pick = space::uniform01(rng_) * total;
    std::size_t k = 0;
    while (k + 1 < components.size() && pick >= components[k].weight)
      pick -= components[k++].weight;
    components[k].model->good.sample(rng_, settings_.bandwidth_factor, proposal.data());
    // Decoding re-evaluates the conditions; encoding again puts integers and choices at their
    // slice centres and marks the now inactive coordinates NaN, as observations are.
    configs.push_back(space_.decode(proposal));
    encode_valid(configs.back(), candidates.data() + c * d);
  }

  std::vector<double> l, g;
  mixture_log_density(components, true, candidates, count, l);
  mixture_log_density(components, false, candidates, count, g);
  // piBO (prior_weighting.hpp): log l(x) - log g(x) + (beta / n*) log pi(x), n* = |D_b*|.
  const auto top = model_level();
  const double exponent = prior_exponent(space_, top ? observations(*top) : past_.level(*past_level(top))->size());
  std::size_t best = 0;
  double best_score = -kInf;
  std::vector<double> scores(count);
  for (std::size_t c = 0; c < count; ++c) scores[c] = l[c] - g[c];
  add_constraint_scores(*components.front().model, candidates, count, scores);
  for (std::size_t c = 0; c < count; ++c) {
    double score = scores[c];
    if (exponent > 0) score += exponent * log_search_prior(space_, candidates.data() + c * d);
    if (score > best_score) {  // NaN never compares greater: never chosen
      best = c;
      best_score = score;
    }
  }
  return std::move(configs[best]);
}

}  // namespace rungs::optimizers
