// c-TPE's constraint factors (tpe.hpp, "Constraints"; Watanabe & Hutter, IJCAI 2023).
#include <cmath>
#include <limits>

#include "optimizers/tpe/tpe.hpp"

namespace rungs::optimizers {

namespace {

// log(gamma + (1 - gamma) exp(-log_ratio)), the log of one relative density ratio's
// denominator, computed without overflow for large |log_ratio|.
double log_denominator(double gamma, double log_ratio) {
  if (std::isnan(log_ratio)) return std::numeric_limits<double>::infinity();  // never chosen
  const double a = std::log(gamma);
  const double b = std::log1p(-gamma) - log_ratio;
  if (gamma <= 0) return b;
  if (gamma >= 1) return 0;
  const double top = std::max(a, b);
  return top + std::log1p(std::exp(std::min(a, b) - top));
}

// (n p(x) + p0(x)) / (n + 1) with the space's own density p0 = 1 on the encoding, as the
// objective's densities have it (tpe.cpp, "Prior"); categoricals ignored here: they cancel in
// the ratio up to the weights.
double with_prior(double log_density, std::size_t n) {
  const double nd = static_cast<double>(n);
  const double keep = std::log(nd / (nd + 1)) + log_density;
  const double prior = -std::log(nd + 1);
  const double top = std::max(keep, prior);
  return top + std::log1p(std::exp(std::min(keep, prior) - top));
}

}  // namespace

void Tpe::fit_constraints(const tpe::Level& data, LevelModel& model) const {
  model.constraints.clear();
  for (std::size_t k = 0; k < data.constraints; ++k) {
    std::vector<std::size_t> feasible, infeasible;
    for (std::size_t i = 0; i < data.size(); ++i)
      (data.margins[i * data.constraints + k] <= 0 ? feasible : infeasible).push_back(i);
    LevelModel::ConstraintSplit split;
    split.usable = !feasible.empty() && !infeasible.empty();
    split.gamma = static_cast<double>(feasible.size()) / static_cast<double>(data.size());
    if (split.usable) {
      split.feasible = fit_rows(data, feasible);
      split.infeasible = fit_rows(data, infeasible);
    }
    model.constraints.push_back(std::move(split));
  }
}

void Tpe::add_constraint_scores(const LevelModel& model, const std::vector<double>& candidates, std::size_t count,
                                std::vector<double>& score) const {
  bool any = false;
  for (const auto& c : model.constraints) any = any || c.usable;
  if (!any) return;
  // The objective's factor: 1 / (gamma_0 + (1 - gamma_0) g/l), in logs.
  for (std::size_t i = 0; i < count; ++i) score[i] = -log_denominator(model.gamma, score[i]);
  std::vector<double> l(count), g(count);
  for (const auto& c : model.constraints) {
    if (!c.usable) continue;
    c.feasible.log_density(candidates.data(), count, l.data());
    c.infeasible.log_density(candidates.data(), count, g.data());
    for (std::size_t i = 0; i < count; ++i) {
      const double ratio = with_prior(l[i], c.feasible.size()) - with_prior(g[i], c.infeasible.size());
      score[i] -= log_denominator(c.gamma, ratio);
    }
  }
}

}  // namespace rungs::optimizers
