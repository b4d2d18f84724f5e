#include "campaign/repeat_filter.hpp"

namespace rungs::campaign {

std::string RepeatFilter::key(const nlohmann::json& step, const nlohmann::json& metrics) {
  std::string key = step.dump() + "|";
  for (const auto& [name, value] : metrics.items()) key += name + ",";  // object keys come sorted
  return key;
}

void RepeatFilter::clear() {
  seen_.clear();
  latest_step_.reset();
}

void RepeatFilter::remember(const nlohmann::json& step, const nlohmann::json& metrics) {
  seen_.insert(key(step, metrics));
  if (step.is_number()) latest_step_ = step.get<double>();
}

bool RepeatFilter::is_repeat(const nlohmann::json& step, const nlohmann::json& metrics) const {
  if (step.is_number() && latest_step_ && step.get<double>() < *latest_step_) return true;
  return seen_.count(key(step, metrics)) > 0;
}

}  // namespace rungs::campaign
