#include "report/export.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "report/csv.hpp"
#include "store/lineage.hpp"

namespace rungs::report {

namespace {

namespace fs = std::filesystem;

// A table's rows as JSON objects keyed by its columns (store/records.hpp's to_json).
template <auto read>
nlohmann::json rows_of(const store::CampaignStore& store) {
  return nlohmann::json((store.*read)());
}

struct TableSpec {
  const char* name;
  nlohmann::json (*rows)(const store::CampaignStore&);
  // The CSV header's order, documented in docs/storage.md ("Export"): every column, JSON ones
  // flattened in place (params.lr, ...). Change both together: scripts index by position too.
  std::vector<std::string> columns;
};

const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> specs = {
      {"trials", &rows_of<&store::CampaignStore::trials>,
       {"trial", "bracket", "state", "level", "budget", "last_value", "last_step", "values_by_level", "failure",
        "updated", "params"}},
      {"runs", &rows_of<&store::CampaignStore::runs>,
       {"run", "trial", "bracket", "level", "units", "budget", "resumed", "start", "cost", "launched", "ended", "value",
        "stopped_by_scheduler", "paused", "exit_code", "signal", "timed_out", "stale", "failure", "attempts", "seconds",
        "relaunches", "params", "feasible", "objectives"}},
      {"reports", &rows_of<&store::CampaignStore::reports>,
       {"seq", "time", "trial", "run", "level", "line", "step", "value", "metrics"}},
      {"warnings", &rows_of<&store::CampaignStore::warnings>, {"seq", "time", "trial", "run", "message"}},
  };
  return specs;
}

std::string dump_one(const nlohmann::json& value, int indent = -1) {
  return value.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

// An array with one row per line: compact, yet diffable and greppable.
std::string dump_rows(const nlohmann::json& rows) {
  std::string text = "[";
  for (std::size_t i = 0; i < rows.size(); ++i) text += (i ? ",\n " : "\n ") + dump_one(rows[i]);
  return text + "\n]\n";
}

// Written next to the target and renamed over it, so a reader never sees half a file.
void write_file(const fs::path& file, const std::string& text) {
  const fs::path partial = file.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", partial.string()));
  }
  fs::rename(partial, file);
}

// The flat columns a campaign's tables have whatever their rows: its parameters, budget
// dimensions and levels, from the campaign row (stores of schema 1 have none: then only what
// the rows hold).
std::map<std::string, std::vector<std::string>> known_columns(const store::CampaignInfo& info) {
  std::map<std::string, std::vector<std::string>> known;
  for (const auto& parameter : info.space) known["params"].push_back("params." + parameter.name);
  if (info.ladder)
    for (const auto& level : info.ladder->levels) {
      known["values_by_level"].push_back(fmt::format("values_by_level.{}", level.level));
      for (const auto& [dimension, value] : level.budget.items()) known["budget"].push_back("budget." + dimension);
    }
  return known;
}

// Population-based training's inheritances and the best trial's schedule (the campaign's
// finish event names it), or null for a campaign without inheritances.
nlohmann::json pbt_lineage(const store::CampaignStore& store) {
  const auto events = store.events_of(store::EventKind::Launch);
  const auto inherited = store::inheritances(events);
  if (inherited.empty()) return nullptr;
  nlohmann::json out = {{"lineage", inherited}, {"schedule", nullptr}};
  if (const auto finish = store.last_of({store::EventKind::Finish})) {
    const auto best = finish->data.find("best");
    if (best != finish->data.end() && best->is_object())
      out["schedule"] = store::to_json(store::schedule_of(events, best->at("trial").get<std::int64_t>()));
  }
  return out;
}

}  // namespace

ExportFormat export_format_from(std::string_view name) {
  if (name == "csv") return ExportFormat::Csv;
  if (name == "json") return ExportFormat::Json;
  throw std::invalid_argument(fmt::format("unknown export format '{}' (formats: csv, json)", name));
}

std::vector<fs::path> export_tables(const store::CampaignStore& store, ExportFormat format,
                                    const fs::path& directory) {
  fs::create_directories(directory);
  std::vector<std::pair<fs::path, std::string>> files;
  nlohmann::json lineage;  // population-based training: who copied whom, the best's schedule
  {
    store::ReadTransaction transaction(store);
    if (format == ExportFormat::Json) lineage = pbt_lineage(store);
    for (const auto& table : tables()) {
      const auto rows = table.rows(store);
      if (format == ExportFormat::Json) {
        files.emplace_back(directory / fmt::format("{}.json", table.name), dump_rows(rows));
      } else {
        std::ostringstream csv;
        write_csv(flatten_rows(rows, table.columns, known_columns(store.info())), csv);
        files.emplace_back(directory / fmt::format("{}.csv", table.name), csv.str());
      }
    }
  }
  if (format == ExportFormat::Json) {
    const auto& info = store.info();
    nlohmann::json campaign = {{"name", info.name},
                                     {"mode", info.mode},
                                     {"metric", info.metric},
                                     {"direction", info.direction},
                                     {"created_at", info.created_at},
                                     {"options", info.options},
                                     {"campaign_file", info.campaign_file},
                                     {"campaign_yaml", info.campaign_yaml}};
    if (!lineage.is_null()) {
      campaign["lineage"] = lineage["lineage"];
      campaign["schedule"] = lineage["schedule"];
    }
    files.emplace_back(directory / "campaign.json", dump_one(campaign, 2) + "\n");
  }
  std::vector<fs::path> written;
  for (const auto& [file, text] : files) {
    write_file(file, text);
    written.push_back(file);
  }
  return written;
}

}  // namespace rungs::report
