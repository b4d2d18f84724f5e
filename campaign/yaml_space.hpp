#pragma once
// Reading the `space:` section of a campaign file into a space::SearchSpace.
//
//   space:
//     optimizer: {type: categorical, choices: [sgd, adam]}
//     lr:        {type: float, low: 1.0e-3, high: 1.0, log: true}
//     momentum:  {type: float, low: 0.0, high: 0.99, when: {optimizer: sgd}}
//     beta1:     {type: float, low: 0.8, high: 0.999, when: {optimizer: adam}}
//     layers:    {type: int, low: 1, high: 3}
//     width2:    {type: int, low: 16, high: 128, log: true, when: {layers: [2, 3]}}
//
// Keys per type (anything else is an error, with a hint):
//   float, int:   low, high (required); log (default false); when; prior
//   categorical:  choices (required, a list; numbers and booleans are kept as written text,
//                 so `choices: [0.5, true]` gives the strings "0.5" and "true"); when; prior
// `prior:` says where good values are believed to lie (campaign/yaml_prior.hpp).
// `when: {parent: value}` or `{parent: [v1, v2]}`; several parents must all hold. The parent
// may be defined before or after its children. There is no `default`: every parameter is
// sampled (a categorical with one choice pins a value).
//
// The file order of parameters is kept: it is the encoding order and the column order of
// results. Every problem, including the rules SearchSpace checks (space/search_space.hpp),
// is a ConfigError at the node to fix: "campaign.yaml:5:59: space.momentum.when.optimizer:
// 'sdg' is not a choice of 'optimizer' (choices: sgd, adam)".
#include "campaign/yaml_reader.hpp"
#include "space/search_space.hpp"

namespace rungs::campaign {

// `space_node` is the value of the `space:` key. Throws ConfigError.
space::SearchSpace read_search_space(const YamlNode& space_node);

}  // namespace rungs::campaign
