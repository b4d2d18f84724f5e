#include "report/export.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "report/csv.hpp"

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
  std::vector<std::string> columns;  // docs/storage.md's order, for the CSV header
};

const std::vector<TableSpec>& tables() {
  static const std::vector<TableSpec> specs = {
      {"trials", &rows_of<&store::CampaignStore::trials>,
       {"trial", "bracket", "state", "level", "budget", "last_value", "last_step", "values_by_level", "failure",
        "updated", "params"}},
      {"runs", &rows_of<&store::CampaignStore::runs>,
       {"run", "trial", "bracket", "level", "units", "budget", "resumed", "launched", "ended", "value",
        "stopped_by_scheduler", "exit_code", "signal", "failure", "seconds", "relaunches", "params"}},
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
  {
    store::ReadTransaction transaction(store);
    for (const auto& table : tables()) {
      const auto rows = table.rows(store);
      if (format == ExportFormat::Json) {
        files.emplace_back(directory / fmt::format("{}.json", table.name), dump_rows(rows));
      } else {
        std::ostringstream csv;
        write_csv(flatten_rows(rows, table.columns), csv);
        files.emplace_back(directory / fmt::format("{}.csv", table.name), csv.str());
      }
    }
  }
  if (format == ExportFormat::Json) {
    const auto& info = store.info();
    const nlohmann::json campaign = {{"name", info.name},
                                     {"mode", info.mode},
                                     {"metric", info.metric},
                                     {"direction", info.direction},
                                     {"created_at", info.created_at},
                                     {"options", info.options},
                                     {"campaign_file", info.campaign_file},
                                     {"campaign_yaml", info.campaign_yaml}};
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
