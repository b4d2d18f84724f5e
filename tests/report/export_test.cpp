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
#include "tests/report/real_campaign.hpp"

namespace {

namespace fs = std::filesystem;
using rungs::store::CampaignStore;

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

TEST_CASE("CSV export of a campaign the real loop wrote: every table parses back, cell for cell") {
  rungs::testing::TempDir dir;
  const auto campaign_dir = dir.path() / "c";
  const auto facts = rungs::testing::write_real_campaign(campaign_dir).facts;
  REQUIRE(facts.warnings > 0);
  REQUIRE(facts.failed_runs > 0);
  const auto files = rungs::report::export_command(campaign_dir, "csv");
  REQUIRE(files.size() == 4);
  CHECK(files[0] == campaign_dir / "export" / "trials.csv");

  const auto parsed = parse_with_python(files, dir.path());
  const auto& trials = parsed[files[0].string()];
  const auto& runs = parsed[(campaign_dir / "export" / "runs.csv").string()];
  const auto& reports = parsed[(campaign_dir / "export" / "reports.csv").string()];
  const auto& warnings = parsed[(campaign_dir / "export" / "warnings.csv").string()];

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
  const auto lr = column(trials, "params.lr");
  column(trials, "budget.epochs");
  column(trials, "budget.data_fraction");
  column(trials, "values_by_level.0");
  column(reports, "metrics.val_loss");
  CHECK(runs["header"][0] == "run");

  // Each trial's state and parameters as the event log has them; values with commas and
  // quotes come back exactly; an inactive parameter is empty.
  std::set<std::string> seen;
  for (const auto& cells : trials["rows"]) {
    const auto trial = std::stoll(cells[0].get<std::string>());
    CAPTURE(trial);
    CHECK(cells[2] == facts.state_of.at(trial));
    const auto& params = facts.params_of.at(trial);
    CHECK(cells[optimizer] == params["optimizer"]);
    CHECK(std::stod(cells[lr].get<std::string>()) == params["lr"].get<double>());
    if (params.contains("momentum")) CHECK(std::stod(cells[momentum].get<std::string>()) == params["momentum"].get<double>());
    else CHECK(cells[momentum] == "");
    seen.insert(cells[optimizer].get<std::string>());
  }
  CHECK(seen == std::set<std::string>{"sgd", "adam, fast", "say \"hi\""});

  // Runs: what each was charged adds up to the budget spent (priced from the ladder, not the
  // units), and the failures are there.
  double charged = 0;
  std::size_t failures = 0;
  for (const auto& cells : runs["rows"]) {
    charged += std::stod(cells[column(runs, "cost")].get<std::string>());
    failures += cells[column(runs, "failure")] != "" ? 1 : 0;
  }
  CHECK(charged == doctest::Approx(facts.budget_spent));
  CHECK(failures == facts.failed_runs);

  // Warnings in log order, text intact.
  for (std::size_t i = 0; i < facts.warnings; ++i) CHECK(warnings["rows"][i][column(warnings, "message")] == facts.warning_messages[i]);

  // Numbers read back as the same doubles.
  const auto value = column(reports, "value");
  const auto store = CampaignStore::open(campaign_dir, true);
  const auto report_rows = store.reports();
  REQUIRE(report_rows.size() == facts.reports);
  for (std::size_t i = 0; i < report_rows.size(); ++i)
    CHECK(std::stod(reports["rows"][i][value].get<std::string>()) == report_rows[i].value.value());
}

TEST_CASE("JSON export of a campaign the real loop wrote: one array of rows per table, and the campaign") {
  rungs::testing::TempDir dir;
  const auto campaign_dir = dir.path() / "c";
  const auto facts = rungs::testing::write_real_campaign(campaign_dir, {.direction = "max", .iterations = 1}).facts;
  const auto out = dir.path() / "elsewhere";
  const auto files = rungs::report::export_command(campaign_dir, "json", out);
  REQUIRE(files.size() == 5);
  auto load = [&](const std::string& name) { return nlohmann::json::parse(rungs::testing::read_file(out / name)); };

  const auto trials = load("trials.json");
  REQUIRE(trials.size() == facts.trials);
  for (const auto& row : trials) {
    const auto trial = row["trial"].get<std::int64_t>();
    CHECK(row["state"] == facts.state_of.at(trial));
    CHECK(row["params"] == facts.params_of.at(trial));
  }
  const auto runs = load("runs.json");
  REQUIRE(runs.size() == facts.runs);
  double charged = 0;
  for (const auto& row : runs) charged += row["cost"].get<double>();
  CHECK(charged == doctest::Approx(facts.budget_spent));
  CHECK(load("reports.json").size() == facts.reports);
  const auto warnings = load("warnings.json");
  REQUIRE(warnings.size() == facts.warnings);
  for (std::size_t i = 0; i < facts.warnings; ++i) CHECK(warnings[i]["message"] == facts.warning_messages[i]);

  // The typed rows serialize whole (no column left out of the JSON).
  const auto store = CampaignStore::open(campaign_dir, true);
  CHECK(trials == nlohmann::json(store.trials()));
  CHECK(runs == nlohmann::json(store.runs()));
  const auto campaign = load("campaign.json");
  CHECK(campaign["name"] == "report-test");
  CHECK(campaign["metric"] == "val_loss");
  CHECK(campaign["direction"] == "max");
  CHECK(campaign["campaign_yaml"] == store.info().campaign_yaml);
}

TEST_CASE("export rejects an unknown format before touching anything") {
  rungs::testing::TempDir dir;
  CHECK_THROWS_WITH_AS(rungs::report::export_command(dir.path(), "xlsx"), doctest::Contains("unknown export format 'xlsx'"),
                       std::invalid_argument);
  CHECK_FALSE(fs::exists(dir.path() / "export"));
}

TEST_CASE("an empty table is exported with its header: every documented column, in the documented order") {
  // A campaign created and never run: no trial, run, report or warning yet.
  rungs::testing::TempDir dir;
  const auto campaign_dir = dir.path() / "c";
  const auto spec = rungs::campaign::parse_campaign(R"(name: empty
metric: val_loss
space:
  lr: {type: float, low: 1.0e-4, high: 1, log: true}
  optimizer: {type: categorical, choices: [sgd, adam]}
budget:
  min: 1
  max: 9
  dimensions:
    epochs: {type: int, min: 1, max: 9}
scheduler: {type: hyperband, eta: 3}
trial:
  command: [trainer, "{lr}"]
)",
                                                    "c.yaml", dir.path());
  rungs::campaign::create_campaign_directory(spec, campaign_dir, "run", nlohmann::json::object());
  const auto files = rungs::report::export_command(campaign_dir, "csv");
  REQUIRE(files.size() == 4);
  const auto parsed = parse_with_python(files, dir.path());
  const auto header = [&](const char* table) {
    const auto& t = parsed[(campaign_dir / "export" / (std::string(table) + ".csv")).string()];
    CHECK(t["rows"].empty());
    return t["header"].get<std::vector<std::string>>();
  };
  // docs/storage.md, "Export": these orders are a promise to scripts that index by position.
  CHECK(header("trials") == std::vector<std::string>{"trial", "bracket", "state", "level", "budget.epochs", "last_value",
                                                     "last_step", "values_by_level.0", "values_by_level.1",
                                                     "values_by_level.2", "failure", "updated", "params.lr",
                                                     "params.optimizer"});
  CHECK(header("runs") == std::vector<std::string>{"run", "trial", "bracket", "level", "units", "budget.epochs",
                                                   "resumed", "start", "cost", "launched", "ended", "value",
                                                   "stopped_by_scheduler", "paused", "exit_code", "signal",
                                                   "timed_out", "stale", "failure", "attempts", "seconds",
                                                   "relaunches", "params.lr", "params.optimizer", "feasible",
                                                   "objectives"});
  CHECK(header("reports") ==
        std::vector<std::string>{"seq", "time", "trial", "run", "level", "line", "step", "value", "metrics"});
  CHECK(header("warnings") == std::vector<std::string>{"seq", "time", "trial", "run", "message"});
  // pandas reads what Python's csv module reads: a header and no rows.
}
