#pragma once
// Constraints and several objectives (`constraints:`, `metric: [...]`, `scalarize:`), as
// plain data, and how a report line's metrics become the values the scheduler and the
// optimizer see (optimizers::Measures).
//
//  - A constraint is `METRIC <= NUMBER` or `METRIC >= NUMBER` on any reported metric
//    (parse_constraint: a small grammar, an identifier, the operator, a number). It is measured
//    at the level a run reached: a run's feasibility is judged on the latest value of each
//    constrained metric its trial reported (a trial may print its model size once, at its
//    first run); a trial that never reported one is infeasible.
//  - With several objectives each report line holding all of them counts as a report of the
//    metric; the scheduler's value is the first objective (minimized), and the Measures carry
//    them all for non-dominated sorting, unless `scalarize: {weights: [...]}` makes the value
//    the weighted sum of the minimized objectives (the ranking is then scalar).
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "optimizers/optimizer.hpp"

namespace rungs::campaign {

struct MetricSpec {
  std::string name = "loss";  // the report field the scheduler ranks by
  bool maximize = false;      // internally everything is minimized: maximized metrics are negated
  double to_minimize(double reported) const { return maximize ? -reported : reported; }
  double from_minimized(double value) const { return maximize ? -value : value; }
};

struct Constraint {
  std::string metric;     // a reported metric's name
  bool at_most = true;    // `<=` (else `>=`)
  double threshold = 0;
  std::string text;       // as written, normalized: "latency_ms <= 20"

  // (c - t) / max(|t|, 1) for <=, (t - c) / max(|t|, 1) for >=: <= 0 holds. NaN for a
  // missing or non-finite value (violated).
  double margin(std::optional<double> reported) const;
};

// "latency_ms <= 20". Throws std::invalid_argument saying what is wrong with `text`.
Constraint parse_constraint(const std::string& text);

// What a campaign optimizes and under which constraints (CampaignSpec::objectives).
struct Objectives {
  std::vector<MetricSpec> metrics;  // 2+ when several objectives; empty: spec.metric alone
  std::vector<double> weights;      // scalarize: one per metric; empty: Pareto ranking
  std::vector<Constraint> constraints;

  bool several() const { return metrics.size() >= 2; }
  bool scalarized() const { return !weights.empty(); }
};

// What one report line says for the scheduler. `has_value` is false when the line lacks the
// metric (or one of the objectives): it informs no decision.
struct LineValue {
  bool has_value = false;
  double value = 0;                 // minimized; NaN when reported as null/NaN
  std::vector<double> objectives;   // minimized, one per objective (several objectives only)
};
LineValue read_line(const MetricSpec& metric, const Objectives& objectives, const nlohmann::json& metrics);

// The constrained metrics' latest values (NaN = never reported), updated from a line.
void note_constraints(const Objectives& objectives, const nlohmann::json& metrics, std::vector<double>& latest);

// The Measures of a run: margins from the latest constrained values, objectives as given
// (empty unless several objectives are ranked by Pareto order).
optimizers::Measures measures_of(const Objectives& objectives, const std::vector<double>& latest,
                                 const std::vector<double>& line_objectives);

}  // namespace rungs::campaign
