#pragma once
// The result of a campaign with several objectives: its Pareto front. Printed at the end of
// `rungs run` (best_summary.hpp), written to DIR/pareto.json, recorded in the finish event
// (`rungs status`, the export and the HTML report read it from the store).
//
// Which runs: those that count for the incumbent (scheduler/incumbent.hpp: reached their
// budget, did not fail, finite, feasible) at the highest budget level any of them reached
// (a low-fidelity point is not the quantity optimized; the incumbent's rule too); a trial
// with several such runs counts with its latest. Among them, the non-dominated ones
// (optimizers/pareto.hpp), sorted by the first objective.
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

struct ParetoPoint {
  scheduler::TrialId trial = 0;
  std::size_t level = 0;
  std::vector<double> minimized;  // the objectives, each minimized
  std::vector<double> values;     // the same in their own direction, as reported
  space::Config config;
};

// A run's end as a candidate point; `minimized` as the scheduler saw it.
ParetoPoint pareto_candidate(const CampaignSpec& spec, scheduler::TrialId trial, std::size_t level,
                             std::vector<double> minimized, space::Config config);

// The front among the candidates (see above), by the first objective then trial id.
std::vector<ParetoPoint> pareto_result(const std::vector<ParetoPoint>& candidates);

// [{"trial", "level", "objectives": {name: value}, "params"}...]
nlohmann::json pareto_json(const CampaignSpec& spec, const std::vector<ParetoPoint>& front);

}  // namespace rungs::campaign
