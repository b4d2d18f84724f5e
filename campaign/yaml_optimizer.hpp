#pragma once
// Reading the `optimizer:` section of a campaign file.
//
//   optimizer: random                     # the baseline
//   optimizer: {type: tpe, top_n_percent: 15, num_samples: 64}    # BOHB with hyperband
//   optimizer: {type: gp, acquisition: ei, max_points: 500}
//
// Every setting is optional and defaults to the paper's value (optimizers/tpe/tpe_settings.hpp,
// optimizers/gp/gp_settings.hpp); a bad value is a ConfigError at its key.
#include "campaign/yaml_reader.hpp"
#include "study/optimizer_settings.hpp"

namespace rungs::campaign {

study::OptimizerSettings read_optimizer(const YamlNode& node);

}  // namespace rungs::campaign
