#pragma once
// Reading the `budget:` section of a campaign file into a fidelity::BudgetLadder
// (campaign/yaml_campaign.cpp defines it; campaign/yaml_study.cpp reads a study's budget
// with it, so a budget given in Python is read by the same code and fails with the same
// messages as one in a campaign file).
//
//   budget:
//     min: 1
//     max: 27
//     dimensions:
//       epochs:        {type: int, growth: continued, min: 1, max: 27}
//       data_fraction: {type: float, values: [0.25, 0.5, 1.0, 1.0]}
//     cost: product            # or units, or a formula; default product
//     step: 2                  # optional: linear levels min, min + step, ..., max (freeze_thaw)
#include "campaign/yaml_reader.hpp"
#include "fidelity/ladder.hpp"

namespace rungs::campaign {

// `node` is the value of the `budget:` key; `eta` the scheduler's. Throws ConfigError.
fidelity::BudgetLadder read_budget(const YamlNode& node, double eta);

}  // namespace rungs::campaign
