#pragma once
// Reading `start_with:`, the configurations a campaign tries first (optimizers/start_queue.hpp):
//
//   start_with:
//     - {optimizer: adam, lr: 3.0e-4, beta1: 0.9, layers: 2, width2: 64}
//     - {optimizer: sgd, lr: 0.1, momentum: 0.9, layers: 1}
//
// Each item sets exactly the parameters active in it, like a configuration a trial receives:
// values are converted to the parameter's type (space::coerce: `lr: 1e-3`, `layers: 2`), and a
// missing, inactive, unknown, wrongly typed or out-of-range value is a ConfigError at the item
// (or at the value) naming the parameter: "campaign.yaml:14:7: start_with[1].momentum: ...".
#include <vector>

#include "campaign/yaml_reader.hpp"
#include "space/search_space.hpp"

namespace rungs::campaign {

// `node` is the value of the `start_with:` key. Throws ConfigError.
std::vector<space::Config> read_start_with(const YamlNode& node, const space::SearchSpace& space);

}  // namespace rungs::campaign
