#include "optimizers/prior_evidence.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "optimizers/prior_weighting.hpp"

namespace rungs::optimizers {

namespace {

std::string key(const Eigen::VectorXd& encoded) {
  return {reinterpret_cast<const char*>(encoded.data()), static_cast<std::size_t>(encoded.size()) * sizeof(double)};
}

}  // namespace

void PriorEvidence::drawn(const Eigen::VectorXd& encoded, bool from_prior) { source_[key(encoded)] = from_prior; }

void PriorEvidence::observed(const Eigen::VectorXd& encoded, std::size_t level, double value) {
  const auto found = source_.find(key(encoded));
  if (found == source_.end()) return;
  if (!std::isfinite(value)) value = std::numeric_limits<double>::infinity();
  results_[level].push_back({value, found->second});
}

double PriorEvidence::share() const {
  for (auto it = results_.rbegin(); it != results_.rend(); ++it) {
    std::vector<Result> results = it->second;
    if (results.size() < kMinEvidence) continue;
    const double n = static_cast<double>(results.size());
    const double from_prior = static_cast<double>(std::count_if(results.begin(), results.end(), [](const Result& r) { return r.from_prior; }));
    const std::size_t top = std::max<std::size_t>(1, results.size() / 4);
    // Ties keep the order of arrival: the same results give the same share.
    std::stable_sort(results.begin(), results.end(), [](const Result& a, const Result& b) { return a.value < b.value; });
    const double top_prior = static_cast<double>(
        std::count_if(results.begin(), results.begin() + static_cast<std::ptrdiff_t>(top), [](const Result& r) { return r.from_prior; }));
    const double expected = from_prior / n * static_cast<double>(top);
    return kPriorShare * std::min(1.0, (top_prior + 1) / (expected + 1));
  }
  return kPriorShare;
}

}  // namespace rungs::optimizers
