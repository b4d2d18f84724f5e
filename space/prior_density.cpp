#include "space/prior_density.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "space/encoding.hpp"
#include "space/sampling.hpp"
#include "space/space_error.hpp"

namespace rungs::space {

namespace {

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

// P(choice) under a categorical prior: w_c / sum w, choices not listed weighing 1.
double choice_probability(const CategoricalDomain& domain, const ChoicePrior& prior, std::size_t index) {
  double total = 0;
  double mine = 0;
  for (std::size_t i = 0; i < domain.choices.size(); ++i) {
    const auto found = prior.weights.find(domain.choices[i]);
    const double w = found == prior.weights.end() ? 1.0 : found->second;
    total += w;
    if (i == index) mine = w;
  }
  return mine / total;
}

}  // namespace

double prior_center_unit(const Domain& domain, const Prior& prior) {
  if (const auto* numeric = std::get_if<NumericPrior>(&prior)) return encode_number(domain, numeric->center);
  const auto& d = std::get<CategoricalDomain>(domain);
  const auto& choice = std::get<ChoicePrior>(prior);
  std::size_t best = 0;
  for (std::size_t i = 1; i < d.choices.size(); ++i)
    if (choice_probability(d, choice, i) > choice_probability(d, choice, best)) best = i;
  return (static_cast<double>(best) + 0.5) / static_cast<double>(d.choices.size());
}

double prior_log_density(const Domain& domain, const Prior& prior, double u) {
  u = std::clamp(u, 0.0, 1.0);
  if (const auto* numeric = std::get_if<NumericPrior>(&prior)) {
    // Truncated normal on [0,1]: phi((u - m) / s) / (s (Phi((1 - m) / s) - Phi(-m / s))).
    const double m = encode_number(domain, numeric->center);
    const double s = numeric->sigma;
    const double z = (u - m) / s;
    const double mass = normal_cdf((1 - m) / s) - normal_cdf(-m / s);
    return -0.5 * z * z - 0.5 * std::log(2 * std::numbers::pi) - std::log(s) - std::log(mass);
  }
  const auto& d = std::get<CategoricalDomain>(domain);
  const auto k = d.choices.size();
  const auto index = std::min(static_cast<std::size_t>(u * static_cast<double>(k)), k - 1);
  return std::log(static_cast<double>(k) * choice_probability(d, std::get<ChoicePrior>(prior), index));
}

double sample_prior_unit(const Domain& domain, const Prior& prior, std::mt19937_64& rng) {
  if (const auto* numeric = std::get_if<NumericPrior>(&prior)) {
    const double m = encode_number(domain, numeric->center);
    for (;;) {
      const double u = m + numeric->sigma * standard_normal(rng);
      if (u >= 0 && u <= 1) return u;
    }
  }
  const auto& d = std::get<CategoricalDomain>(domain);
  const auto& choice = std::get<ChoicePrior>(prior);
  double pick = uniform01(rng);
  const auto k = d.choices.size();
  for (std::size_t i = 0; i + 1 < k; ++i) {
    pick -= choice_probability(d, choice, i);
    if (pick < 0) return (static_cast<double>(i) + 0.5) / static_cast<double>(k);
  }
  return (static_cast<double>(k) - 0.5) / static_cast<double>(k);
}

void check_prior(const std::string& name, const Domain& domain, const Prior& prior) {
  const auto* categorical = std::get_if<CategoricalDomain>(&domain);
  if (const auto* numeric = std::get_if<NumericPrior>(&prior)) {
    if (categorical)
      throw SpaceError(name, "prior", "a categorical parameter takes weights: {choice: weight, ...} or center: choice");
    double low = 0;
    double high = 0;
    if (const auto* f = std::get_if<FloatDomain>(&domain)) low = f->low, high = f->high;
    else low = static_cast<double>(std::get<IntDomain>(domain).low), high = static_cast<double>(std::get<IntDomain>(domain).high);
    if (!(numeric->center >= low && numeric->center <= high))
      throw SpaceError(name, "prior.center",
                       fmt::format("{} is outside the parameter's range [{}, {}]", numeric->center, low, high));
    if (!(numeric->sigma >= kMinSigma && numeric->sigma <= kMaxSigma))
      throw SpaceError(name, "prior.confidence",
                       fmt::format("must be low, medium, high or a number in [{}, {}] (the prior's standard deviation "
                                   "as a fraction of the range), got {}",
                                   kMinSigma, kMaxSigma, numeric->sigma));
    return;
  }
  if (!categorical)
    throw SpaceError(name, "prior", "a float or int parameter takes center and confidence, not weights");
  for (const auto& [choice, weight] : std::get<ChoicePrior>(prior).weights) {
    if (std::find(categorical->choices.begin(), categorical->choices.end(), choice) == categorical->choices.end())
      throw SpaceError(name, "prior.weights." + choice,
                       fmt::format("'{}' is not a choice (choices: {})", choice, fmt::join(categorical->choices, ", ")));
    if (!(weight > 0) || !std::isfinite(weight))
      throw SpaceError(name, "prior.weights." + choice,
                       fmt::format("must be a finite number > 0, got {} (a prior may favour a choice, never rule one "
                                   "out: remove the choice from the space instead)",
                                   weight));
  }
}

}  // namespace rungs::space
