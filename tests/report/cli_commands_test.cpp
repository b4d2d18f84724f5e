// `rungs status`, `rungs export` and `rungs report` as a user types them, on a campaign that
// `rungs run` wrote: the quickstart's space, budget ladder and scheduler with the fake trial
// program in place of the trainer (real processes, each reporting 1/step), checked against
// what the event log says (real_campaign.hpp: counted from the events, the best by
// scheduler::Incumbent, the budget priced from the ladder).
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "tests/campaign/test_support.hpp"
#include "tests/report/real_campaign.hpp"

namespace {

namespace fs = std::filesystem;
using rungs::testing::read_file;
using rungs::testing::run_rungs;

// The quickstart campaign with the fake trial program as its command.
std::string quickstart_with_fake_trials() {
  const auto yaml = read_file(fs::path(RUNGS_SOURCE_DIR) / "examples/01_quickstart/campaign.yaml");
  const auto trial = yaml.find("\ntrial:\n");
  REQUIRE(trial != std::string::npos);
  return yaml.substr(0, trial + 1) + "trial:\n  command: [" + std::string(RUNGS_BIN_DIR) +
         "/fake_trial, report, \"{epochs}\", --metric, val_loss]\n  timeout: 120s\n";
}

// The JSON the report embeds for its charts.
nlohmann::json report_data(const std::string& html) {
  const std::string open = "<script type=\"application/json\" id=\"rungs-data\">";
  const auto begin = html.find(open);
  REQUIRE(begin != std::string::npos);
  const auto end = html.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  return nlohmann::json::parse(html.substr(begin + open.size(), end - begin - open.size()));
}

std::size_t count_of(const std::map<std::string, std::size_t>& counts, const std::string& key) {
  const auto found = counts.find(key);
  return found == counts.end() ? 0 : found->second;
}

}  // namespace

TEST_CASE("rungs run of the quickstart with fake trials, then rungs status, export and report") {
  rungs::testing::TempDir dir;
  rungs::testing::write_file(dir.path() / "c.yaml", quickstart_with_fake_trials());
  REQUIRE(run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "run.log", dir.path()) == 0);
  const auto out = dir.path() / "out";

  const auto spec = rungs::campaign::load_campaign(dir.path() / "c.yaml");
  const auto store = rungs::store::CampaignStore::open(out, /*read_only=*/true);
  const auto facts = rungs::testing::facts_from_events(store, spec);
  REQUIRE(facts.finished);
  REQUIRE(facts.best.has_value());
  REQUIRE(std::abs(facts.budget_spent - facts.units_spent) > 1);  // the data fraction is cheaper

  // status
  REQUIRE(run_rungs({"status", "out"}, dir.path() / "status.log", dir.path()) == 0);
  const auto status = read_file(dir.path() / "status.log");
  INFO(status);
  CHECK(status.find(fmt::format("Campaign quickstart: val_loss (min), {} trials", facts.trials)) != std::string::npos);
  CHECK(status.find(", finished\n") != std::string::npos);
  CHECK(status.find(fmt::format("Trials: running 0, waiting {}, stopped {}, completed {}, failed {}\n",
                                count_of(facts.states, "waiting"), count_of(facts.states, "stopped"),
                                count_of(facts.states, "completed"), count_of(facts.states, "failed"))) != std::string::npos);
  CHECK(status.find(fmt::format("Runs: {} (0 out), reports {}, warnings {}, budget spent {:.6g} units\n", facts.runs,
                                facts.reports, facts.warnings, facts.budget_spent)) != std::string::npos);
  // Every top-level run reports 1/27: the tie goes to the run that ended first.
  CHECK(status.find(fmt::format("Best so far: trial {}, val_loss = {:.6g} at level {} (", facts.best->trial,
                                facts.best->value, facts.best->level)) != std::string::npos);

  // export
  REQUIRE(run_rungs({"export", "out", "--format", "json"}, dir.path() / "export.log", dir.path()) == 0);
  const auto runs = nlohmann::json::parse(read_file(out / "export" / "runs.json"));
  CHECK(runs.size() == facts.runs);
  double charged = 0;
  for (const auto& run : runs) charged += run["cost"].get<double>();
  CHECK(charged == doctest::Approx(facts.budget_spent));
  const auto trials = nlohmann::json::parse(read_file(out / "export" / "trials.json"));
  REQUIRE(trials.size() == facts.trials);
  for (const auto& trial : trials) CHECK(trial["state"] == facts.state_of.at(trial["trial"].get<std::int64_t>()));
  CHECK(nlohmann::json::parse(read_file(out / "export" / "reports.json")).size() == facts.reports);

  // report
  REQUIRE(run_rungs({"report", "out"}, dir.path() / "report.log", dir.path()) == 0);
  const auto data = report_data(read_file(out / "report.html"));
  CHECK(data["campaign"]["trials"] == facts.trials);
  CHECK(data["campaign"]["runs"] == facts.runs);
  CHECK(data["campaign"]["finished"] == true);
  CHECK(data["campaign"]["budget_spent"].get<double>() == doctest::Approx(facts.budget_spent).epsilon(1e-5));
  CHECK(data["best"]["trial"] == facts.best->trial);
  CHECK(data["best"]["level"] == facts.best->level);
  CHECK(data["curves"].size() == facts.trials_with_values.size());
  CHECK(data["campaign"]["refresh"].is_null());

  // report --watch on a campaign that has ended: one last write, no reload, exit 0.
  REQUIRE(run_rungs({"report", "out", "--watch", "1", "-o", "live.html"}, dir.path() / "watch.log", dir.path()) == 0);
  CHECK(read_file(dir.path() / "watch.log").find("Report written (final) to live.html") != std::string::npos);
  CHECK(report_data(read_file(dir.path() / "live.html"))["campaign"]["refresh"].is_null());
}
