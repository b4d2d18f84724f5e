#include "scheduler/promotion.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rungs::scheduler {

bool promotable(const RungResult& result) { return !result.failed && std::isfinite(result.value); }

std::vector<TrialId> rank_results(std::span<const RungResult> results) {
  std::vector<const RungResult*> order;
  order.reserve(results.size());
  for (const auto& r : results) order.push_back(&r);
  // Total order: promotable before not; among promotable by value then id; the rest by id.
  std::sort(order.begin(), order.end(), [](const RungResult* a, const RungResult* b) {
    const bool pa = promotable(*a);
    const bool pb = promotable(*b);
    if (pa != pb) return pa;
    if (pa && a->value != b->value) return a->value < b->value;
    return a->trial < b->trial;
  });
  std::vector<TrialId> ids;
  ids.reserve(order.size());
  for (const RungResult* r : order) ids.push_back(r->trial);
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
