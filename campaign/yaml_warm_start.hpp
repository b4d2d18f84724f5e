#pragma once
// Reading `warm_start:` (campaign/warm_start.hpp), the past campaigns a campaign learns from:
//
//   warm_start: [runs/old-1, runs/old-2]            # paths relative to the campaign file
//   warm_start:
//     from: [runs/old-1]
//     mode: best        # auto (default: observations when the space is compatible), observations, best
//     narrow: true      # bounding-box narrowing of the space (default false)
//     top: 3            # best configurations per source (first candidates and the box)
//     margin: 0.1       # the box's widening on each side, on the [0,1] encoding
//
// Only the file is read here: the directories are read by load_campaign (read_warm_start),
// never when a stored campaign's YAML is read again (a resume uses what its store recorded).
#include <filesystem>

#include "campaign/warm_start.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

// `node` is the value of the `warm_start:` key. Throws ConfigError.
WarmStartSpec read_warm_start_spec(const YamlNode& node, const std::filesystem::path& directory);

}  // namespace rungs::campaign
