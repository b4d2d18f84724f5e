// `rungs status`: the tables read from a campaign database, also one being written.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "report/commands.hpp"
#include "report/snapshot.hpp"
#include "report/html_report.hpp"
#include "report/status.hpp"
#include "tests/campaign/test_support.hpp"
#include "tests/report/capture.hpp"
#include "tests/report/real_campaign.hpp"

namespace {

using rungs::store::CampaignStore;
using rungs::report::StatusOptions;
using rungs::testing::capture;

std::string status_of(const std::filesystem::path& directory, const StatusOptions& options = {}) {
  return capture([&](std::FILE* out) { rungs::report::status_command(directory, options, out); });
}

// The line of the trials table for `trial`: "  rank  trial  state ...".
std::string trial_line(const std::string& text, std::int64_t trial) {
  const auto table = text.find("\n  rank");
  REQUIRE(table != std::string::npos);
  for (auto at = text.find('\n', table + 1); at != std::string::npos; at = text.find('\n', at + 1)) {
    const auto end = text.find('\n', at + 1);
    const auto line = text.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
    std::istringstream fields(line);
    std::string rank, id;
    fields >> rank >> id;
    if (id == std::to_string(trial)) return line;
  }
  return {};
}

// The rung table's rows: {bracket, level} -> reached, then the five states' counts.
std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> rung_table(const std::string& text) {
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> rows;
  const auto header = text.find("bracket  level  budget");
  REQUIRE(header != std::string::npos);
  std::istringstream lines(text.substr(text.find('\n', header) + 1));
  for (std::string line; std::getline(lines, line) && !line.empty();) {
    std::vector<std::string> fields;
    std::istringstream words(line);
    for (std::string word; words >> word;) fields.push_back(word);
    REQUIRE(fields.size() >= 8);  // bracket, level, budget (one or more words), reached, 5 states
    std::vector<std::size_t> counts;
    for (auto i = fields.size() - 6; i < fields.size(); ++i) counts.push_back(std::stoul(fields[i]));
    rows[{std::stoll(fields[0]), std::stoll(fields[1])}] = counts;
  }
  return rows;
}

// The trial ids of the trials table, in the order listed.
std::vector<std::int64_t> listed_trials(const std::string& text) {
  std::vector<std::int64_t> trials;
  const auto table = text.find("\n  rank");
  REQUIRE(table != std::string::npos);
  std::istringstream lines(text.substr(text.find('\n', table + 1) + 1));
  for (std::string line; std::getline(lines, line) && line.rfind("  ...", 0) != 0;) {
    std::istringstream fields(line);
    std::string rank, id;
    fields >> rank >> id;
    trials.push_back(std::stoll(id));
  }
  return trials;
}

std::size_t count_of(const std::map<std::string, std::size_t>& counts, const std::string& key) {
  const auto found = counts.find(key);
  return found == counts.end() ? 0 : found->second;
}

}  // namespace

TEST_CASE("status of a campaign the real loop wrote: states, runs, budget spent, best, rungs, trials") {
  rungs::testing::TempDir dir;
  const auto campaign = rungs::testing::write_real_campaign(dir.path());
  const auto& facts = campaign.facts;
  const auto text = status_of(dir.path(), StatusOptions{.all = true});
  INFO(text);
  REQUIRE(facts.failed_trial != 0);   // the campaign has all the states the tables show
  REQUIRE(facts.stopped_trial != 0);
  REQUIRE(facts.warnings > 0);
  REQUIRE(facts.finished);

  CHECK(text.find("Campaign report-test (simulated): val_loss (min), " + std::to_string(facts.trials) + " trials") !=
        std::string::npos);
  CHECK(text.find("(virtual), finished\n") != std::string::npos);
  CHECK(text.find(fmt::format("Trials: running {}, waiting {}, stopped {}, completed {}, failed {}\n",
                              count_of(facts.states, "running"), count_of(facts.states, "waiting"),
                              count_of(facts.states, "stopped"), count_of(facts.states, "completed"),
                              count_of(facts.states, "failed"))) != std::string::npos);
  // The budget spent is what each launch cost (priced here from the ladder), which the
  // campaign's ladder makes differ from the units the runs were given.
  REQUIRE(std::abs(facts.budget_spent - facts.units_spent) > 1);
  CHECK(text.find(fmt::format("Runs: {} ({} out), reports {}, warnings {}, budget spent {:.6g} units\n", facts.runs,
                              facts.runs_out, facts.reports, facts.warnings, facts.budget_spent)) != std::string::npos);

  // The best by the one rule (scheduler::Incumbent over the exit events), with its parameters.
  REQUIRE(facts.best.has_value());
  const auto best = static_cast<std::int64_t>(facts.best->trial);
  const auto level = static_cast<std::int64_t>(facts.best->level);
  CHECK(text.find(fmt::format("Best so far: trial {}, val_loss = {:.6g} at level {} ({})\n", best, facts.best->value, level,
                              rungs::report::describe_budget(facts.budget_of_level.at(level)))) != std::string::npos);
  for (const auto& [name, value] : facts.params_of.at(best).items())
    CHECK(text.find("\n  " + name + ": " + rungs::report::describe_value(value) + "\n") != std::string::npos);

  // The rung table: per bracket and level, the trials launched there or higher, and the states
  // of those whose highest level it is.
  std::map<std::pair<std::int64_t, std::int64_t>, std::vector<std::size_t>> expected;
  const std::vector<std::string> states = {"running", "waiting", "stopped", "completed", "failed"};
  std::map<std::int64_t, std::int64_t> bracket_start;
  for (const auto& [trial, first] : facts.first_level) {
    const auto [at, fresh] = bracket_start.try_emplace(facts.bracket_of.at(trial), first);
    if (!fresh) at->second = std::min(at->second, first);
  }
  for (const auto& [trial, top] : facts.top_level) {
    const auto bracket = facts.bracket_of.at(trial);
    for (auto l = bracket_start.at(bracket); l <= top; ++l) {
      auto& row = expected[{bracket, l}];
      row.resize(6);
      ++row[0];
      if (l == top) ++row[1 + static_cast<std::size_t>(std::find(states.begin(), states.end(), facts.state_of.at(trial)) - states.begin())];
    }
  }
  CHECK(rung_table(text) == expected);

  // The trials table: every trial once, best first, each in its state; the failure named.
  const auto listed = listed_trials(text);
  CHECK(listed.size() == facts.trials);
  CHECK(listed.front() == best);
  const auto ranked = facts.ranked(/*maximize=*/false);
  CHECK(std::vector<std::int64_t>(listed.begin(), listed.begin() + static_cast<long>(facts.final_of.size())) ==
        std::vector<std::int64_t>(ranked.begin(), ranked.begin() + static_cast<long>(facts.final_of.size())));
  for (const auto& [trial, state] : facts.state_of) {
    CAPTURE(trial);
    std::istringstream fields(trial_line(text, trial));
    std::string rank, id, shown;
    fields >> rank >> id >> shown;
    CHECK(shown == state);
  }
  CHECK(trial_line(text, facts.failed_trial).find("after timeout") != std::string::npos);
}

TEST_CASE("status of a maximized campaign: the best is the highest value") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path(), {.direction = "max", .iterations = 1}).facts;
  const auto text = status_of(dir.path());
  INFO(text);
  REQUIRE(facts.best.has_value());
  CHECK(text.find("val_loss (max)") != std::string::npos);
  CHECK(text.find(fmt::format("Best so far: trial {}, val_loss = {:.6g} at level {}", facts.best->trial, facts.best->value,
                              facts.best->level)) != std::string::npos);
  CHECK(listed_trials(text).front() == static_cast<std::int64_t>(facts.best->trial));
}

TEST_CASE("status lists the best trials, --all every trial") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path()).facts;
  REQUIRE(facts.trials > 20);
  REQUIRE(facts.final_of.size() >= 5);
  REQUIRE(count_of(facts.states, "running") == 0);

  const auto top = status_of(dir.path(), StatusOptions{.all = false, .top = 5});
  INFO(top);
  CHECK(top.find("Trials: the best 5, best first") != std::string::npos);
  const auto ranked = facts.ranked(/*maximize=*/false);
  CHECK(listed_trials(top) == std::vector<std::int64_t>(ranked.begin(), ranked.begin() + 5));
  CHECK(top.find(fmt::format("... {} more (--all lists every trial)", facts.trials - 5)) != std::string::npos);

  const auto all = status_of(dir.path(), StatusOptions{.all = true});
  CHECK(listed_trials(all).size() == facts.trials);
  CHECK(all.find("more (--all") == std::string::npos);
}

TEST_CASE("status reads a campaign that another connection is writing") {
  rungs::testing::TempDir dir;
  using rungs::store::Event;
  using rungs::store::EventKind;
  rungs::store::CampaignInfo info;
  info.name = "live";
  info.metric = "acc";
  info.direction = "max";
  auto writer = CampaignStore::create(dir.path(), info);

  // Nothing happened yet.
  auto text = status_of(dir.path());
  CHECK(text.find("Campaign live: acc (max), 0 trials") != std::string::npos);
  CHECK(text.find("Best so far: none yet") != std::string::npos);
  CHECK(text.find("No trials yet.") != std::string::npos);

  rungs::store::TrialRow row;
  row.trial = 1;
  row.params = {{"x", 0.5}};
  row.state = "running";
  row.budget = {{"epochs", 1}};
  writer.append(Event{.time = 1.0, .kind = EventKind::Launch, .trial = 1, .run = 1, .data = {{"bracket", 0}, {"level", 0}, {"units", 1}, {"budget", row.budget}, {"params", row.params}, {"resumed", false}}},
                &row);
  row.last_value = 0.8;
  row.last_step = 1;
  writer.append(Event{.time = 2.0, .kind = EventKind::Report, .trial = 1, .run = 1, .data = {{"level", 0}, {"line", 1}, {"step", 1}, {"value", 0.8}, {"metrics", {{"acc", 0.8}}}}},
                &row);
  text = status_of(dir.path());
  INFO(text);
  CHECK(text.find("1 trial, elapsed 0:00:02") != std::string::npos);
  CHECK(text.find("Trials: running 1, waiting 0") != std::string::npos);
  CHECK(text.find("Runs: 1 (1 out), reports 1") != std::string::npos);
  CHECK(text.find("Best so far: none yet") != std::string::npos);  // no run reached its budget

  // The run ends while a reader is open: the reader's next status sees it.
  const auto reader = CampaignStore::open(dir.path(), /*read_only=*/true);
  row.values_by_level = {{"0", 0.9}};
  row.last_value = 0.9;
  writer.append(Event{.time = 3.0, .kind = EventKind::Exit, .trial = 1, .run = 1, .data = {{"value", 0.9}, {"stopped_by_scheduler", false}, {"exit_code", 0}, {"signal", nullptr},
                       {"timed_out", false}, {"failure", nullptr}, {"seconds", 2.0}}},
                &row);
  row.state = "completed";
  writer.append(Event{.time = 3.0, .kind = EventKind::State, .trial = 1, .run = std::nullopt, .data = {{"state", "completed"}}}, &row);
  text = capture([&](std::FILE* out) { rungs::report::print_status(reader, out); });
  CHECK(text.find("Best so far: trial 1, acc = 0.9 at level 0 (epochs=1)") != std::string::npos);
  CHECK(text.find("Runs: 1 (0 out)") != std::string::npos);

  // And after the writer closed (WAL checkpointed and removed).
  { auto closing = std::move(writer); }
  text = status_of(dir.path());
  CHECK(text.find("completed 1") != std::string::npos);
}

TEST_CASE("status of a directory without a campaign says so") {
  rungs::testing::TempDir dir;
  CHECK_THROWS_WITH_AS(status_of(dir.path()), doctest::Contains("holds no campaign"), std::runtime_error);
}

TEST_CASE("budget spent is what the campaign charged each run") {
  using rungs::store::Event;
  using rungs::store::EventKind;
  rungs::testing::TempDir dir;
  rungs::store::CampaignInfo info;
  info.name = "charge";
  info.metric = "loss";
  auto store = CampaignStore::create(dir.path(), info);
  // A fresh run of 1 unit, then its promotion to 3 units resumed from the checkpoint (charged
  // the increment, 2), then a rerun at 9 units (charged in full).
  const double costs[] = {1, 2, 9};
  const double units[] = {1, 3, 9};
  for (int level = 0; level < 3; ++level)
    store.append(Event{.time = 1.0 + level, .kind = EventKind::Launch, .trial = 1, .run = level + 1,
                       .data = {{"bracket", 0}, {"level", level}, {"units", units[level]}, {"budget", nlohmann::json::object()},
                                {"params", {{"x", 0.5}}}, {"resumed", level > 0}, {"cost", costs[level]}}});
  CHECK(rungs::report::load_snapshot(store).budget_spent.value() == doctest::Approx(12.0));
  CHECK(status_of(dir.path()).find("budget spent 12 units\n") != std::string::npos);

  // A launch without a recorded cost (a store from before costs were recorded, or a writer
  // that names the field otherwise): the budget spent is unknown, not its units.
  store.append(Event{.time = 4.0, .kind = EventKind::Launch, .trial = 2, .run = 4,
                     .data = {{"bracket", 0}, {"level", 0}, {"units", 1}, {"budget", nlohmann::json::object()},
                              {"params", {{"x", 0.25}}}, {"resumed", false}}});
  const auto snapshot = rungs::report::load_snapshot(store);
  CHECK_FALSE(snapshot.budget_spent.has_value());
  CHECK_FALSE(snapshot.runs.back().charged.has_value());
  CHECK(status_of(dir.path()).find("budget spent unknown (a launch recorded no cost)\n") != std::string::npos);
  const auto data = rungs::report::report_data(rungs::report::load_snapshot(store, {.curves = true}));
  CHECK(data["campaign"]["budget_spent"].is_null());
}

// The deliberate bug the suite once missed: the loop writes each launch's `cost`, status and
// the report read it; renaming the field on either side must fail here. On a campaign the real
// loop wrote, the budget spent both show is the sum of fidelity::run_cost over the launches,
// priced independently from the ladder, which this ladder makes differ from the units.
TEST_CASE("status and report show the budget the loop charged, never the units (writer and reader agree on `cost`)") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path()).facts;
  REQUIRE(std::abs(facts.budget_spent - facts.units_spent) > 1);

  const auto text = status_of(dir.path());
  INFO(text);
  CHECK(text.find(fmt::format("budget spent {:.6g} units\n", facts.budget_spent)) != std::string::npos);
  CHECK(text.find(fmt::format("budget spent {:.6g} units\n", facts.units_spent)) == std::string::npos);

  const auto store = CampaignStore::open(dir.path(), /*read_only=*/true);
  const auto snapshot = rungs::report::load_snapshot(store, {.curves = true});
  REQUIRE(snapshot.budget_spent.has_value());
  CHECK(*snapshot.budget_spent == doctest::Approx(facts.budget_spent));
  const auto data = rungs::report::report_data(snapshot);
  REQUIRE(data["campaign"]["budget_spent"].is_number());
  CHECK(data["campaign"]["budget_spent"].get<double>() == doctest::Approx(facts.budget_spent).epsilon(1e-5));
  CHECK(data["campaign"]["budget_spent"].get<double>() != doctest::Approx(facts.units_spent));
  // The progress chart's points: the budget spent by each end, never more than the total.
  REQUIRE_FALSE(data["ends"].empty());
  for (const auto& end : data["ends"]) {
    REQUIRE(end["spent"].is_number());
    CHECK(end["spent"].get<double>() <= facts.budget_spent + 1e-6);
  }
}

TEST_CASE("durations read as hours:minutes:seconds") {
  using rungs::report::format_duration;
  CHECK(format_duration(0) == "0:00:00");
  CHECK(format_duration(59.6) == "0:01:00");
  CHECK(format_duration(3723) == "1:02:03");
  CHECK(format_duration(2 * 86400 + 5) == "2d 0:00:05");
  CHECK(format_duration(-1) == "0:00:00");
}
