// The campaign loop as a whole through the C++ API (run_campaign) on the simulated runner:
// what it names the best, and how a campaign driven by a program ends in its store.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <boost/asio/io_context.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <string>

#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "runners/simulated_runner.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// ASHA in stopping mode: every run is launched at the top budget (9 epochs) and stopped at a
// milestone (epoch 1 or 3) when it is not in the top third there.
constexpr const char* kStoppingCampaign = R"(name: overfit
seed: 4
metric: {name: loss, mode: min}
space:
  x: {type: float, low: 0, high: 1}
budget: {min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 9}}}
scheduler: {type: asha, eta: 3, mode: stopping, max_trials: 15, max_concurrent: 1}
optimizer: random
trial:
  command: [not-run-in-a-simulation]
)";

// A trial that overfits: loss = x + epoch, worse with every epoch. A run stopped at epoch 1
// or 3 last reported a lower loss than any run that trained all 9 epochs, though it never
// reached that budget: the loop must not name it the best.
runners::SimulatedTrial overfitting_trial(const runners::LaunchSpec& launch) {
  const double x = nlohmann::json::parse(launch.env.at("RUNGS_PARAMS")).at("x").get<double>();
  runners::SimulatedTrial trial;
  for (int epoch = 1; epoch <= 9; ++epoch)
    trial.lines.emplace_back(epoch, fmt::format(R"(@rungs {{"step": {}, "loss": {}}})", epoch, x + epoch));
  trial.exit_after = 9.5;
  return trial;
}

struct Run {
  double last_value = std::numeric_limits<double>::quiet_NaN();  // its last reported loss
  bool stopped = false;
  std::optional<double> value;  // at its end, as recorded
};

}  // namespace

TEST_CASE("campaign loop: a run stopped early is never the best, even with the best value seen") {
  TempDir dir;
  const auto spec = campaign::parse_campaign(kStoppingCampaign, "overfit.yaml", dir.path());
  auto scheduler = campaign::make_scheduler(spec);
  boost::asio::io_context io;
  runners::SimulatedRunner runner(io, overfitting_trial);
  campaign::LoopOptions options;
  options.output = dir.path() / "out";
  options.handle_signals = false;
  options.clock = [&runner] { return runner.now(); };
  auto store = campaign::create_campaign_directory(spec, options.output, "run", nlohmann::json::object());
  const auto outcome = campaign::run_campaign(spec, *scheduler, runner, io, store, options);

  std::map<std::int64_t, Run> runs;  // by trial (one run each in stopping mode)
  nlohmann::json finish;
  for (const auto& event : store.events()) {
    if (event.kind == store::EventKind::Report) runs[*event.trial].last_value = event.data["value"].get<double>();
    if (event.kind == store::EventKind::Exit) {
      runs[*event.trial].stopped = event.data["stopped_by_scheduler"].get<bool>();
      if (event.data["value"].is_number()) runs[*event.trial].value = event.data["value"].get<double>();
    }
    if (event.kind == store::EventKind::Finish) finish = event.data;
  }
  REQUIRE(runs.size() == 15);

  // The setting that tempts the bug: a stopped run holds the lowest last value of all.
  double best_completed = INFINITY, best_stopped = INFINITY;
  std::int64_t best_completed_trial = 0;
  for (const auto& [trial, run] : runs) {
    if (run.stopped) best_stopped = std::min(best_stopped, run.last_value);
    else if (run.value && *run.value < best_completed) best_completed = *run.value, best_completed_trial = trial;
  }
  REQUIRE(std::isfinite(best_stopped));
  REQUIRE(best_completed_trial != 0);
  REQUIRE(best_stopped < best_completed);

  REQUIRE(outcome.best.has_value());
  CHECK_FALSE(runs.at(static_cast<std::int64_t>(outcome.best->trial)).stopped);
  CHECK(outcome.best->trial == static_cast<scheduler::TrialId>(best_completed_trial));
  CHECK(outcome.best->value == best_completed);
  CHECK(outcome.best->level == 2);
  CHECK(outcome.best->metrics["loss"] == best_completed);
  // The finish event and the trials table agree.
  REQUIRE(finish.is_object());
  CHECK(finish["best"]["trial"] == best_completed_trial);
  CHECK(finish["best"]["value"] == best_completed);
  for (const auto& row : read_table(options.output, "trials"))
    if (runs.at(row["trial"].get<std::int64_t>()).stopped) CHECK(row["values_by_level"].empty());
}

TEST_CASE("campaign loop: a campaign run through run_campaign ends with a finish event in its store") {
  TempDir dir;
  const auto spec = campaign::parse_campaign(kStoppingCampaign, "overfit.yaml", dir.path());
  auto scheduler = campaign::make_scheduler(spec);
  boost::asio::io_context io;
  runners::SimulatedRunner runner(io, overfitting_trial);
  campaign::LoopOptions options;
  options.output = dir.path() / "out";
  options.handle_signals = false;
  options.clock = [&runner] { return runner.now(); };
  {
    auto store = campaign::create_campaign_directory(spec, options.output, "run", nlohmann::json::object());
    const auto outcome = campaign::run_campaign(spec, *scheduler, runner, io, store, options);
    CHECK_FALSE(outcome.interrupted);
  }
  const auto events = store::CampaignStore::open(options.output, /*read_only=*/true).events();
  REQUIRE(!events.empty());
  const auto& last = events.back();
  CHECK(last.kind == store::EventKind::Finish);
  CHECK(last.data["runs"] == 15);
  CHECK(last.data["best"].is_object());
  CHECK(last.time == runner.now());
  // Every trial settled before the end: no state event follows the finish, none is left running.
  for (const auto& row : read_table(options.output, "trials")) CHECK(row["state"] != "running");
}
