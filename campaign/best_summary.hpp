#pragma once
// The end of `rungs run` / `rungs simulate`: the best result printed for reading (six
// significant digits) and written to DIR/best.json with every digit, for scripts.
// Called once per finished campaign by campaign/commands.cpp.
#include <filesystem>

#include "campaign/campaign_loop.hpp"
#include "campaign/campaign_spec.hpp"
#include "store/store.hpp"

namespace rungs::campaign {

// Prints "Best configuration: trial N, METRIC = V at budget level L (budget)", its
// parameters and its last report to stdout, and writes best.json in the campaign directory; prints "No trial
// reported a finite METRIC." (and writes nothing) when there is no best. With constraints, the
// best is the best feasible result (scheduler/incumbent.hpp). Under population-based
// training the best trial's schedule follows (store/lineage.hpp: "  schedule: lr 0.01 for
// epochs 0-8; 0.004 for 8-16"), and best.json holds it as `schedule`.
void print_best(const CampaignSpec& spec, const CampaignOutcome& outcome, const store::CampaignStore& store);

// Several objectives: prints the Pareto front (campaign/pareto_result.hpp), one line per
// configuration, and writes it to `output`/pareto.json. Nothing with one objective.
void print_front(const CampaignSpec& spec, const CampaignOutcome& outcome, const std::filesystem::path& output);

}  // namespace rungs::campaign
