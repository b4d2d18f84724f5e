#include "scheduler/curve_extrapolation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace rungs::scheduler {

CurveExtrapolationRule::CurveExtrapolationRule(CurveExtrapolationOptions options) : options_(std::move(options)) {
  if (!(options_.final_step > 0) || !std::isfinite(options_.final_step))
    throw std::invalid_argument(
        fmt::format("curve extrapolation: final_step must be positive and finite (got {})", options_.final_step));
  if (options_.min_points < 3)
    throw std::invalid_argument(
        fmt::format("curve extrapolation: min_points must be at least 3 (got {})", options_.min_points));
  if (!(options_.threshold > 0 && options_.threshold < 1))
    throw std::invalid_argument(
        fmt::format("curve extrapolation: threshold must be in (0, 1) (got {})", options_.threshold));
  if (options_.max_points < options_.min_points)
    throw std::invalid_argument(fmt::format("curve extrapolation: max_points ({}) must be at least min_points ({})",
                                            options_.max_points, options_.min_points));
  if (options_.families.empty()) throw std::invalid_argument("curve extrapolation: no curve family to fit");
}

void CurveExtrapolationRule::offer_incumbent(double value) {
  if (std::isfinite(value)) incumbent_ = incumbent_ ? std::min(*incumbent_, value) : value;
}

Decision CurveExtrapolationRule::on_report(TrialId trial, const Report& report) {
  double& last = last_step_.try_emplace(trial, report.step).first->second;
  last = std::max(last, report.step);
  if (reaches_final(report.step)) {
    offer_incumbent(report.value);
    return Decision::Continue;
  }
  auto& curve = curves_[trial];
  if (!std::isfinite(report.value)) return incumbent_ ? Decision::Stop : Decision::Continue;  // worst
  curve[report.step] = report.value;
  if (!incumbent_ || curve.size() < options_.min_points) return Decision::Continue;

  // The curve up to this step (a restarted run may have left later points), thinned evenly.
  std::vector<double> steps;
  std::vector<double> values;
  for (const auto& [s, v] : curve) {
    if (s > report.step) break;
    steps.push_back(s);
    values.push_back(v);
  }
  if (steps.size() < options_.min_points) return Decision::Continue;
  if (steps.size() > options_.max_points) {
    std::vector<double> ts;
    std::vector<double> tv;
    const std::size_t n = steps.size();
    const std::size_t m = options_.max_points;
    for (std::size_t i = 0; i < m; ++i) {
      const std::size_t j = (i * (n - 1) + (m - 1) / 2) / (m - 1);  // round(i (n-1) / (m-1))
      ts.push_back(steps[j]);
      tv.push_back(values[j]);
    }
    steps = std::move(ts);
    values = std::move(tv);
  }

  const std::optional<CurveForecast> forecast = forecast_curve(steps, values, options_.final_step, options_.families);
  if (!forecast) return Decision::Continue;
  ExtrapolationVerdict verdict;
  verdict.step = report.step;
  verdict.mean = forecast->mean;
  verdict.std = forecast->std;
  verdict.incumbent = *incumbent_;
  verdict.probability = forecast->probability_below(*incumbent_);
  verdict.stop = verdict.probability < options_.threshold;
  verdicts_[trial] = verdict;
  return verdict.stop ? Decision::Stop : Decision::Continue;
}

void CurveExtrapolationRule::on_run_end(TrialId trial, const RunEnd& end) {
  const auto it = last_step_.find(trial);
  if (!end.failed && it != last_step_.end() && reaches_final(it->second)) offer_incumbent(end.value);
}

std::optional<ExtrapolationVerdict> CurveExtrapolationRule::last_verdict(TrialId trial) const {
  const auto it = verdicts_.find(trial);
  if (it == verdicts_.end()) return std::nullopt;
  return it->second;
}

}  // namespace rungs::scheduler
