#pragma once
// The end of `rungs run` / `rungs simulate`: the best result printed for reading (six
// significant digits) and written to DIR/best.json with every digit, for scripts.
// Called once per finished campaign by campaign/commands.cpp.
#include <filesystem>

#include "campaign/campaign_loop.hpp"
#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

// Prints "Best configuration: trial N, METRIC = V at budget level L (budget)", its
// parameters and its last report to stdout, and writes `output`/best.json; prints "No trial
// reported a finite METRIC." (and writes nothing) when there is no best.
// With constraints, the best is the best feasible result (scheduler/incumbent.hpp).
void print_best(const CampaignSpec& spec, const CampaignOutcome& outcome, const std::filesystem::path& output);

// Several objectives: prints the Pareto front (campaign/pareto_result.hpp), one line per
// configuration, and writes it to `output`/pareto.json. Nothing with one objective.
void print_front(const CampaignSpec& spec, const CampaignOutcome& outcome, const std::filesystem::path& output);

}  // namespace rungs::campaign
