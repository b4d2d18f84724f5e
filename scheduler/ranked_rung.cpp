#include "scheduler/ranked_rung.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace rungs::scheduler {

RankedRung::Key RankedRung::key_of(const RungResult& result) {
  if (promotable(result)) return {0, result.violation, result.value, result.trial};
  return {1, 0.0, 0.0, result.trial};
}

void RankedRung::add(const RungResult& result) {
  const Key key = key_of(result);
  if (!keys_.emplace(result.trial, key).second)
    throw std::invalid_argument(fmt::format("rung results list trial {} more than once", result.trial));
  all_.insert(key);
  unpromoted_.insert(key);
  several_ = several_ || result.objectives.size() >= 2;
  results_.push_back(result);
  promoted_[result.trial] = false;
  stale_ = true;
}

void RankedRung::promote(TrialId trial) {
  unpromoted_.erase(keys_.at(trial));
  promoted_.at(trial) = true;
}

const std::vector<TrialId>& RankedRung::order() const {
  if (stale_) {
    order_ = rank_results(results_);
    position_.clear();
    for (std::size_t i = 0; i < order_.size(); ++i) position_[order_[i]] = i;
    stale_ = false;
  }
  return order_;
}

std::size_t RankedRung::rank(TrialId trial) const {
  if (several_) {
    order();
    return position_.at(trial);
  }
  return all_.order_of_key(keys_.at(trial));
}

bool RankedRung::in_top(TrialId trial, std::size_t k) const {
  const Key& key = keys_.at(trial);
  return std::get<0>(key) == 0 && rank(trial) < k;
}

std::optional<TrialId> RankedRung::best_unpromoted(std::size_t k) const {
  if (unpromoted_.empty()) return std::nullopt;
  if (several_) {
    const auto& ids = order();
    for (std::size_t i = 0; i < ids.size() && i < k; ++i) {
      if (promoted_.at(ids[i])) continue;
      if (std::get<0>(keys_.at(ids[i])) != 0) return std::nullopt;
      return ids[i];
    }
    return std::nullopt;
  }
  const Key& best = *unpromoted_.begin();
  if (std::get<0>(best) != 0 || all_.order_of_key(best) >= k) return std::nullopt;
  return std::get<3>(best);
}

}  // namespace rungs::scheduler
