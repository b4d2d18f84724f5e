#include "scheduler/ranked_rung.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace rungs::scheduler {

RankedRung::Key RankedRung::key_of(const RungResult& result) {
  if (promotable(result)) return {0, result.value, result.trial};
  return {1, 0.0, result.trial};
}

void RankedRung::add(const RungResult& result) {
  const Key key = key_of(result);
  if (!keys_.emplace(result.trial, key).second)
    throw std::invalid_argument(fmt::format("rung results list trial {} more than once", result.trial));
  all_.insert(key);
  unpromoted_.insert(key);
}

void RankedRung::promote(TrialId trial) { unpromoted_.erase(keys_.at(trial)); }

std::size_t RankedRung::rank(TrialId trial) const { return all_.order_of_key(keys_.at(trial)); }

bool RankedRung::in_top(TrialId trial, std::size_t k) const {
  const Key& key = keys_.at(trial);
  return std::get<0>(key) == 0 && all_.order_of_key(key) < k;
}

std::optional<TrialId> RankedRung::best_unpromoted(std::size_t k) const {
  if (unpromoted_.empty()) return std::nullopt;
  const Key& best = *unpromoted_.begin();
  if (std::get<0>(best) != 0 || all_.order_of_key(best) >= k) return std::nullopt;
  return std::get<2>(best);
}

}  // namespace rungs::scheduler
