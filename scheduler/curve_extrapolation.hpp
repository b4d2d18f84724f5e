#pragma once
// Learning-curve extrapolation as a stopping rule (Domhan, Springenberg & Hutter, IJCAI 2015),
// simplified (curve_model.hpp has the families, the fit and what is simplified):
//
//   at a report of trial x at step t < final_step, once x has at least min_points finite
//   reports and some trial has a final value (the incumbent y*):
//       forecast y_x(final_step) ~ N(mu, std^2) from x's curve so far
//       stop  iff  P(y_x(final_step) < y*) = Phi((y* - mu) / std) < threshold   (default 0.05)
//
// The paper's rule, mirrored for minimization: stop a run that is unlikely to beat the best
// final value seen. No decision without an incumbent (nothing to beat yet), nor at or beyond
// the final step (nothing left to save).
//
// The incumbent y* is the smallest finite value reported at a step >= final_step, or the value
// of a run that ended without failing after its reports reached final_step. final_step is the
// step of the final value, normally the top rung's milestone: final_milestone(ladder)
// (milestones.hpp), e.g. 27 epochs.
//
// NaN and infinite reports count as the worst value: such a report is answered Stop once there
// is an incumbent (whatever min_points says: a diverged run does not recover its loss); they
// are left out of the fit otherwise (a finite report later resumes normal decisions).
// Cost: one forecast (4 families x 2 Levenberg-Marquardt starts on at most max_points points)
// per report past min_points; well below a millisecond for curves of a few dozen points.
#include <cstddef>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "scheduler/curve_model.hpp"
#include "scheduler/stopping_rule.hpp"

namespace rungs::scheduler {

struct CurveExtrapolationOptions {
  double final_step = 0;        // required (> 0): the step of the final value, e.g. final_milestone(ladder)
  std::size_t min_points = 5;   // finite reports of the trial before any decision (>= 3)
  double threshold = 0.05;      // stop when P(final < incumbent) < threshold; in (0, 1)
  std::size_t max_points = 32;  // fit at most this many points: longer curves are thinned evenly (last kept)
  std::vector<CurveFamily> families{kAllCurveFamilies.begin(), kAllCurveFamilies.end()};
};

// The last decision the rule took for a trial, for logs and tests.
struct ExtrapolationVerdict {
  double step = 0;
  double mean = 0;         // forecast at final_step
  double std = 0;
  double probability = 0;  // P(final < incumbent)
  double incumbent = 0;
  bool stop = false;
};

class CurveExtrapolationRule : public StoppingRule {
 public:
  // Throws std::invalid_argument for final_step <= 0, min_points < 3, threshold outside (0, 1),
  // max_points < min_points, or no family.
  explicit CurveExtrapolationRule(CurveExtrapolationOptions options);

  Decision on_report(TrialId trial, const Report& report) override;
  void on_run_end(TrialId trial, const RunEnd& end) override;

  const CurveExtrapolationOptions& options() const { return options_; }
  std::optional<double> incumbent() const { return incumbent_; }
  // The last forecast-based verdict for the trial (not set by NaN/inf reports).
  std::optional<ExtrapolationVerdict> last_verdict(TrialId trial) const;

 private:
  bool reaches_final(double step) const { return step >= options_.final_step * (1 - 1e-9); }
  void offer_incumbent(double value);

  CurveExtrapolationOptions options_;
  std::unordered_map<TrialId, std::map<double, double>> curves_;  // step -> value, finite only
  std::unordered_map<TrialId, double> last_step_;                 // largest step reported
  std::unordered_map<TrialId, ExtrapolationVerdict> verdicts_;
  std::optional<double> incumbent_;
};

}  // namespace rungs::scheduler
