#include "scheduler/median_stopping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace rungs::scheduler {
namespace {

constexpr double kWorst = std::numeric_limits<double>::infinity();

double sanitized(double value) { return std::isfinite(value) ? value : kWorst; }

}  // namespace

MedianStoppingRule::MedianStoppingRule(MedianStoppingOptions options) : options_(options) {
  if (options_.min_samples == 0) throw std::invalid_argument("median stopping: min_samples must be at least 1 (got 0)");
  if (!(options_.grace_period >= 0) || !std::isfinite(options_.grace_period))
    throw std::invalid_argument(
        fmt::format("median stopping: grace_period must be finite and >= 0 (got {})", options_.grace_period));
}

std::optional<double> MedianStoppingRule::best_so_far(TrialId trial, double step) const {
  const auto it = curves_.find(trial);
  if (it == curves_.end()) return std::nullopt;
  std::optional<double> best;
  for (const auto& [s, v] : it->second) {
    if (s > step) break;
    best = best ? std::min(*best, v) : v;
  }
  return best;
}

std::optional<double> MedianStoppingRule::running_average(TrialId trial, double step) const {
  const auto it = curves_.find(trial);
  if (it == curves_.end() || it->second.empty() || it->second.rbegin()->first < step) return std::nullopt;
  double sum = 0;
  std::size_t n = 0;
  for (const auto& [s, v] : it->second) {
    if (s > step) break;
    sum += v;  // +inf stays +inf
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

std::optional<MedianStoppingRule::Median> MedianStoppingRule::median_at(double step, TrialId except) const {
  std::vector<double> averages;
  for (const auto& [id, curve] : curves_) {
    if (id == except) continue;
    if (const auto avg = running_average(id, step)) averages.push_back(*avg);
  }
  if (averages.empty()) return std::nullopt;
  const std::size_t m = averages.size();
  std::sort(averages.begin(), averages.end());
  const double median = m % 2 == 1 ? averages[m / 2] : 0.5 * (averages[m / 2 - 1] + averages[m / 2]);
  return Median{median, m};
}

Decision MedianStoppingRule::on_report(TrialId trial, const Report& report) {
  curves_[trial][report.step] = sanitized(report.value);
  if (report.step < options_.grace_period) return Decision::Continue;
  const std::optional<Median> median = median_at(report.step, trial);
  if (!median || median->samples < options_.min_samples) return Decision::Continue;
  const double best = *best_so_far(trial, report.step);
  return best > median->value ? Decision::Stop : Decision::Continue;
}

}  // namespace rungs::scheduler
