#pragma once
// Parameter importance for the HTML report (report/report_data.cpp), per budget level: how much
// of the spread of the trials' values one parameter explains on its own.
//
// Method: the first-order (main-effect) variance fraction that fANOVA estimates (Hutter, Hoos
// and Leyton-Brown, "An Efficient Approach for Assessing Hyperparameter Importance", ICML 2014:
// importance of x_j = Var_{x_j}[ E[y | x_j] ] / Var[y]), estimated without a forest by binning:
// the trials are grouped by the parameter's value (categoricals by choice, numbers into up to
// kMaxBins quantile bins, ties kept together, a trial where the parameter is inactive in a bin
// of its own) and the ratio of the between-group to the total sum of squares is Pearson's
// correlation ratio eta^2 (Pearson 1905). With few trials per group eta^2 of pure noise is
// about (k-1)/(n-1), so the report shows Kelley's unbiased epsilon^2 (Kelley 1935):
//
//   epsilon^2 = (SS_between - (k - 1) * SS_within / (n - k)) / SS_total,  clipped to [0, 1],
//
// with n trials, k non-empty groups. The values enter as their ranks (average ranks for ties),
// so one diverged trial (loss 1e30) cannot decide the picture; the direction does not matter.
// Pure function, no I/O.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rungs::report {

struct ImportanceParameter {
  std::string name;
  bool categorical = false;
};

// One observation: the parameters' values (object, name -> value; a missing name is inactive)
// and the metric.
struct ImportanceSample {
  const nlohmann::json* params = nullptr;
  double value = 0;
};

inline constexpr std::size_t kMaxImportanceBins = 10;
inline constexpr std::size_t kMinImportanceSamples = 8;  // fewer: no estimate (empty result)

// epsilon^2 per parameter, in the order of `parameters`; empty when there are fewer than
// kMinImportanceSamples finite samples.
std::vector<double> parameter_importance(const std::vector<ImportanceParameter>& parameters,
                                         const std::vector<ImportanceSample>& samples);

}  // namespace rungs::report
