#include "scheduler/promotion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "optimizers/pareto.hpp"

namespace rungs::scheduler {

RungResult rung_result(TrialId trial, double value, bool failed, const optimizers::Measures& measures) {
  return RungResult{trial, value, failed, measures.violation(), measures.objectives};
}

bool promotable(const RungResult& result) {
  if (result.failed || !std::isfinite(result.value)) return false;
  return std::all_of(result.objectives.begin(), result.objectives.end(), [](double v) { return std::isfinite(v); });
}

std::vector<TrialId> rank_results(std::span<const RungResult> results) {
  std::vector<const RungResult*> feasible, infeasible, rest;
  for (const auto& r : results) (!promotable(r) ? rest : r.violation > 0 ? infeasible : feasible).push_back(&r);
  const auto by_id = [](const RungResult* a, const RungResult* b) { return a->trial < b->trial; };
  std::sort(feasible.begin(), feasible.end(), by_id);
  std::sort(rest.begin(), rest.end(), by_id);
  // Infeasible: by violation, then value, then id (Deb's rules).
  std::sort(infeasible.begin(), infeasible.end(), [](const RungResult* a, const RungResult* b) {
    if (a->violation != b->violation) return a->violation < b->violation;
    if (a->value != b->value) return a->value < b->value;
    return a->trial < b->trial;
  });
  const bool several = !feasible.empty() && feasible.front()->objectives.size() >= 2;
  if (several) {
    std::vector<optimizers::Point> points;
    for (const RungResult* r : feasible) {
      if (r->objectives.size() != feasible.front()->objectives.size())
        throw std::invalid_argument(fmt::format("rung result of trial {} has {} objectives, others {}", r->trial,
                                                r->objectives.size(), feasible.front()->objectives.size()));
      points.push_back(r->objectives);
    }
    std::vector<const RungResult*> ordered;
    for (std::size_t i : optimizers::pareto_order(points)) ordered.push_back(feasible[i]);
    feasible = std::move(ordered);
  } else {
    std::stable_sort(feasible.begin(), feasible.end(),
                     [](const RungResult* a, const RungResult* b) { return a->value < b->value; });
  }
  std::vector<TrialId> ids;
  ids.reserve(results.size());
  for (const auto* group : {&feasible, &infeasible, &rest})
    for (const RungResult* r : *group) ids.push_back(r->trial);
  std::vector<TrialId> sorted = ids;
  std::sort(sorted.begin(), sorted.end());
  if (const auto dup = std::adjacent_find(sorted.begin(), sorted.end()); dup != sorted.end())
    throw std::invalid_argument(fmt::format("rung results list trial {} more than once", *dup));
  return ids;
}

std::vector<TrialId> select_promotions(std::span<const RungResult> results, std::size_t k) {
  const std::vector<TrialId> ranked = rank_results(results);
  const auto eligible = static_cast<std::size_t>(
      std::count_if(results.begin(), results.end(), [](const RungResult& r) { return promotable(r); }));
  return {ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(std::min(k, eligible))};
}

}  // namespace rungs::scheduler
