// `rungs export`: CSV that another parser (Python's csv module) reads back cell for cell, and
// JSON that parses to the store's rows.
#include <doctest/doctest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "report/commands.hpp"
#include "report/csv.hpp"
#include "report/export.hpp"
#include "tests/campaign/test_support.hpp"
#include "tests/report/fake_campaign.hpp"

namespace {

namespace fs = std::filesystem;
using rungs::campaign::CampaignStore;

// Parses CSV files with Python's csv module (an independent RFC 4180 reader, and what
// pandas users' scripts meet): {path: {"header": [...], "rows": [[...], ...]}}.
nlohmann::json parse_with_python(const std::vector<fs::path>& files, const fs::path& scratch) {
  const auto script = scratch / "parse_csv.py";
  rungs::testing::write_file(script,
                             "import csv, json, sys\n"
                             "out = {}\n"
                             "for path in sys.argv[1:]:\n"
                             "    with open(path, newline='', encoding='utf-8') as f:\n"
                             "        rows = list(csv.reader(f, strict=True))\n"
                             "    out[path] = {'header': rows[0], 'rows': rows[1:]}\n"
                             "json.dump(out, sys.stdout)\n");
  std::string command = "/usr/bin/python3 '" + script.string() + "'";
  for (const auto& file : files) command += " '" + file.string() + "'";
  const auto output = scratch / "parsed.json";
  command += " > '" + output.string() + "'";
  REQUIRE(std::system(command.c_str()) == 0);
  return nlohmann::json::parse(rungs::testing::read_file(output));
}

std::size_t column(const nlohmann::json& table, const std::string& name) {
  const auto& header = table["header"];
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  FAIL("no column " << name << " in " << header.dump());
  return 0;
}

}  // namespace

TEST_CASE("CSV fields are quoted as RFC 4180 says") {
  using rungs::report::csv_field;
  CHECK(csv_field("plain") == "plain");
  CHECK(csv_field("") == "");
  CHECK(csv_field("a,b") == "\"a,b\"");
  CHECK(csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_field("two\nlines") == "\"two\nlines\"");
  CHECK(csv_field("cr\r") == "\"cr\r\"");
  CHECK(csv_field(" padded ") == " padded ");
}

TEST_CASE("rows flatten into one column per nested key, empty where a row has none") {
  const auto rows = nlohmann::json::parse(R"([
    {"trial": 1, "state": "completed", "params": {"optimizer": "sgd", "momentum": 0.9}, "metrics": null,
     "budget": {"epochs": 3, "nested": {"deep": true}}},
    {"trial": 2, "state": "stopped", "params": {"optimizer": "adam"}, "metrics": {"acc": 0.5}, "budget": {"epochs": 1}}
  ])");
  const auto table = rungs::report::flatten_rows(rows, {"trial", "state", "params"});
  CHECK(table.columns == std::vector<std::string>{"trial", "state", "params.momentum", "params.optimizer",
                                                  "budget.epochs", "budget.nested.deep", "metrics.acc"});
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0] == std::vector<std::string>{"1", "completed", "0.9", "sgd", "3", "true", ""});
  CHECK(table.rows[1] == std::vector<std::string>{"2", "stopped", "", "adam", "1", "", "0.5"});
}

TEST_CASE("CSV export: every table parses back with its header, row count and awkward values") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_fake_campaign(dir.path());
  const auto files = rungs::report::export_command(dir.path(), "csv");
  REQUIRE(files.size() == 4);
  CHECK(files[0] == dir.path() / "export" / "trials.csv");

  const auto store = CampaignStore::open(dir.path(), true);
  const auto parsed = parse_with_python(files, dir.path());
  const auto& trials = parsed[files[0].string()];
  const auto& runs = parsed[(dir.path() / "export" / "runs.csv").string()];
  const auto& reports = parsed[(dir.path() / "export" / "reports.csv").string()];
  const auto& warnings = parsed[(dir.path() / "export" / "warnings.csv").string()];

  // Row counts, and every row as wide as its header.
  CHECK(trials["rows"].size() == facts.trials);
  CHECK(runs["rows"].size() == facts.runs);
  CHECK(reports["rows"].size() == facts.reports);
  CHECK(warnings["rows"].size() == facts.warnings);
  for (const auto* table : {&trials, &runs, &reports, &warnings})
    for (const auto& row : (*table)["rows"]) CHECK(row.size() == (*table)["header"].size());

  // The documented columns first, JSON columns flattened.
  CHECK(trials["header"][0] == "trial");
  CHECK(trials["header"][1] == "bracket");
  CHECK(trials["header"][2] == "state");
  const auto optimizer = column(trials, "params.optimizer");
  const auto momentum = column(trials, "params.momentum");
  column(trials, "params.lr");
  column(trials, "budget.epochs");
  column(trials, "values_by_level.0");
  column(reports, "metrics.val_acc");
  CHECK(runs["header"][0] == "run");

  // Values with commas and quotes come back exactly; an inactive parameter is empty.
  const auto rows = store.trials();
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& cells = trials["rows"][i];
    CHECK(cells[0] == std::to_string(rows[i]["trial"].get<std::int64_t>()));
    CHECK(cells[optimizer] == rows[i]["params"]["optimizer"]);
    if (!rows[i]["params"].contains("momentum")) CHECK(cells[momentum] == "");
  }
  std::set<std::string> seen;
  for (const auto& cells : trials["rows"]) seen.insert(cells[optimizer].get<std::string>());
  CHECK(seen == std::set<std::string>{"sgd", "adam, fast", "say \"hi\""});
  CHECK(reports["rows"][0][column(reports, "metrics.note")] == "epoch, \"ok\"");
  CHECK(warnings["rows"][0][column(warnings, "message")] == store.warnings()[0]["message"]);
  bool failure_seen = false;
  for (const auto& cells : runs["rows"])
    failure_seen |= cells[column(runs, "failure")] == "exited with code 1, \"CUDA out of memory\"";
  CHECK(failure_seen);

  // Numbers read back as the same doubles.
  const auto value = column(reports, "value");
  const auto report_rows = store.reports();
  for (std::size_t i = 0; i < report_rows.size(); ++i)
    CHECK(std::stod(reports["rows"][i][value].get<std::string>()) == report_rows[i]["value"].get<double>());
}

TEST_CASE("JSON export: one array of rows per table, and the campaign") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_fake_campaign(dir.path());
  const auto out = dir.path() / "elsewhere";
  const auto files = rungs::report::export_command(dir.path(), "json", out);
  REQUIRE(files.size() == 5);
  const auto store = CampaignStore::open(dir.path(), true);
  auto load = [&](const std::string& name) { return nlohmann::json::parse(rungs::testing::read_file(out / name)); };
  CHECK(load("trials.json") == store.trials());
  CHECK(load("runs.json") == store.runs());
  CHECK(load("reports.json").size() == facts.reports);
  CHECK(load("warnings.json") == store.warnings());
  const auto campaign = load("campaign.json");
  CHECK(campaign["name"] == "report-test");
  CHECK(campaign["metric"] == "val_loss");
  CHECK(campaign["campaign_yaml"] == store.info().campaign_yaml);
}

TEST_CASE("export rejects an unknown format before touching anything") {
  rungs::testing::TempDir dir;
  CHECK_THROWS_WITH_AS(rungs::report::export_command(dir.path(), "xlsx"), doctest::Contains("unknown export format 'xlsx'"),
                       std::invalid_argument);
  CHECK_FALSE(fs::exists(dir.path() / "export"));
}
