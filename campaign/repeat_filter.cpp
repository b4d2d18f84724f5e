#include "campaign/repeat_filter.hpp"

namespace rungs::campaign {

std::string RepeatFilter::names(const nlohmann::json& metrics) {
  std::string names;
  for (const auto& [name, value] : metrics.items()) names += name + ",";  // object keys come sorted
  return names;
}

void RepeatFilter::clear() {
  highest_step_.reset();
  names_at_highest_.clear();
  stepless_.clear();
}

void RepeatFilter::remember(const nlohmann::json& step, const nlohmann::json& metrics) {
  if (!step.is_number()) {
    stepless_.insert(names(metrics));
    return;
  }
  const double at = step.get<double>();
  if (!highest_step_ || at > *highest_step_) {
    highest_step_ = at;
    names_at_highest_.clear();
  }
  if (at == *highest_step_) names_at_highest_.insert(names(metrics));
}

bool RepeatFilter::is_repeat(const nlohmann::json& step, const nlohmann::json& metrics) const {
  if (!step.is_number()) return stepless_.count(names(metrics)) > 0;
  const double at = step.get<double>();
  if (!highest_step_ || at > *highest_step_) return false;
  return at < *highest_step_ || names_at_highest_.count(names(metrics)) > 0;
}

}  // namespace rungs::campaign
