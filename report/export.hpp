#pragma once
// `rungs export DIR`: the campaign's tables as files for tools that do not read SQLite:
// trials, runs, reports and warnings (docs/storage.md describes their columns), each as
// NAME.csv (JSON columns flattened: params.lr, metrics.val_acc, see csv.hpp) or NAME.json
// (an array of row objects, JSON columns nested; pandas.read_json(path) reads it). The JSON
// export adds campaign.json: the campaign's name, metric, direction, mode, options and YAML,
// and under population-based training `lineage` (store/lineage.hpp: each inheritance) and
// `schedule` (the best trial's, as in best.json).
// All tables come from one read transaction, so they agree with each other even while the
// campaign runs.
#include <filesystem>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace rungs::report {

enum class ExportFormat { Csv, Json };

// "csv" or "json"; throws std::invalid_argument naming the value otherwise.
ExportFormat export_format_from(std::string_view name);

// Writes the files into `directory` (created if missing; existing files of these names are
// replaced) and returns their paths. Throws std::runtime_error naming a file it cannot write.
std::vector<std::filesystem::path> export_tables(const store::CampaignStore& store, ExportFormat format,
                                                 const std::filesystem::path& directory);

}  // namespace rungs::report
