#pragma once
// Reading a parameter's `prior:` (space/prior.hpp) in the `space:` section:
//
//   lr:        {type: float, low: 1.0e-5, high: 1, log: true, prior: {center: 3.0e-4, confidence: high}}
//   layers:    {type: int, low: 1, high: 8, prior: {center: 3}}                  # confidence medium
//   width:     {type: float, low: 0, high: 1, prior: {center: 0.5, confidence: 0.1}}
//   optimizer: {type: categorical, choices: [sgd, adam], prior: {weights: {adam: 3, sgd: 1}}}
//   act:       {type: categorical, choices: [relu, gelu, tanh], prior: {center: gelu, confidence: high}}
//
// float / int: `center` (required, inside [low, high]) and `confidence`: low, medium (the
// default) or high (a truncated normal on the parameter's [0,1] encoding, log space for log
// scale, with standard deviation 0.5, 0.25 or 0.125 of the range), or a number in
// [0.001, 1]: that standard deviation itself, as a fraction of the range (so a SMALLER number
// is a FIRMER belief).
// categorical: `weights` (choice: weight > 0; choices left out weigh 1), or `center` (a choice)
// with `confidence` low, medium or high (the centre weighs 2, 4 or 6, every other choice 1).
//
// Problems are ConfigErrors at the node to fix; the checks against the domain (centre in the
// range, a weight for a known choice) are SearchSpace's, located by read_search_space.
#include "campaign/yaml_reader.hpp"
#include "space/parameter.hpp"

namespace rungs::campaign {

// `node` is the value of the `prior:` key of a parameter with `domain`. Throws ConfigError.
space::Prior read_prior(const YamlNode& node, const space::Domain& domain);

}  // namespace rungs::campaign
