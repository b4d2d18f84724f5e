// `rungs status`: the tables read from a campaign database, also one being written.
#include <doctest/doctest.h>

#include <sstream>
#include <string>

#include <fmt/format.h>

#include "report/commands.hpp"
#include "report/snapshot.hpp"
#include "report/status.hpp"
#include "tests/campaign/test_support.hpp"
#include "tests/report/capture.hpp"
#include "tests/report/fake_campaign.hpp"

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

}  // namespace

TEST_CASE("status names the campaign, the trial states, the rungs and the best trial") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_fake_campaign(dir.path());
  const auto text = status_of(dir.path());
  INFO(text);

  CHECK(text.find("Campaign report-test: val_loss (min), " + std::to_string(facts.trials) + " trials") != std::string::npos);
  CHECK(text.find("not finished") != std::string::npos);  // no best.json
  CHECK(text.find(fmt::format("Trials: running {}, waiting {}, stopped {}, completed {}, failed {}", facts.running,
                              facts.waiting, facts.stopped, facts.completed, facts.failed)) != std::string::npos);
  CHECK(text.find(fmt::format("Runs: {} (1 out), reports {}, warnings {}", facts.runs, facts.reports, facts.warnings)) !=
        std::string::npos);

  // The best by the loop's rule: the highest level, then the lowest value there.
  CHECK(text.find(fmt::format("Best so far: trial {}, val_loss = {:.6g} at level {} (epochs=9)", facts.best_trial,
                              facts.best_value, facts.best_level)) != std::string::npos);
  CHECK(text.find("  optimizer: ") != std::string::npos);
  CHECK(text.find("  lr: ") != std::string::npos);

  // The rung table: three brackets, bracket 0 from level 0 to 2, with the states' columns.
  CHECK(text.find("Brackets and rungs") != std::string::npos);
  CHECK(text.find("bracket  level  budget    reached  running  waiting  stopped  completed  failed") != std::string::npos);
  // Bracket 0 started 9 trials at level 0: all 9 reached it.
  CHECK(text.find("        0      0  epochs=1        9") != std::string::npos);

  // The trials table: states, the failure text, the running trial.
  CHECK(trial_line(text, facts.failed_trial).find("failed") != std::string::npos);
  CHECK(trial_line(text, facts.failed_trial).find("CUDA out of memory") != std::string::npos);
  CHECK(trial_line(text, facts.running_trial).find("running") != std::string::npos);
  CHECK(trial_line(text, facts.best_trial).find("completed") != std::string::npos);
  // Rank 1 is the best trial.
  const auto first = text.find("\n     1 ");
  REQUIRE(first != std::string::npos);
  std::istringstream line(text.substr(first + 1, text.find('\n', first + 1) - first - 1));
  std::string rank, id;
  line >> rank >> id;
  CHECK(id == std::to_string(facts.best_trial));
}

TEST_CASE("status lists the best trials and the running ones, --all every trial") {
  rungs::testing::TempDir dir;
  rungs::testing::FakeCampaignOptions options;
  options.trials_per_bracket = 27;
  options.levels = 3;
  const auto facts = rungs::testing::write_fake_campaign(dir.path(), options);
  REQUIRE(facts.trials > 20);

  const auto top = status_of(dir.path(), StatusOptions{.all = false, .top = 5});
  INFO(top);
  CHECK(top.find("Trials: the best 5 and the 1 running") != std::string::npos);
  CHECK_FALSE(trial_line(top, facts.running_trial).empty());   // running: always listed
  CHECK_FALSE(trial_line(top, facts.best_trial).empty());      // the best: always listed
  CHECK(trial_line(top, facts.failed_trial).empty());          // neither
  CHECK(top.find(fmt::format("... {} more (--all lists every trial)", facts.trials - 6)) != std::string::npos);

  const auto all = status_of(dir.path(), StatusOptions{.all = true});
  for (std::int64_t trial = 1; trial <= static_cast<std::int64_t>(facts.trials); ++trial)
    CHECK_FALSE(trial_line(all, trial).empty());
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
  CHECK(rungs::report::load_snapshot(store).budget_spent == doctest::Approx(12.0));
}

TEST_CASE("durations read as hours:minutes:seconds") {
  using rungs::report::format_duration;
  CHECK(format_duration(0) == "0:00:00");
  CHECK(format_duration(59.6) == "0:01:00");
  CHECK(format_duration(3723) == "1:02:03");
  CHECK(format_duration(2 * 86400 + 5) == "2d 0:00:05");
  CHECK(format_duration(-1) == "0:00:00");
}
