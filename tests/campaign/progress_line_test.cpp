// The progress line's figures as pure functions: what it shows (waiting trials, trials done of
// the limit, the time left), the estimate of the time left, and the campaign limits it
// measures against, checked against what a simulated campaign really runs.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <chrono>
#include <string>

#include "campaign/campaign_limits.hpp"
#include "campaign/factory.hpp"
#include "campaign/progress_line.hpp"
#include "campaign/simulation.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace std::chrono_literals;

namespace {

campaign::ProgressSnapshot asha_snapshot() {
  campaign::ProgressSnapshot s;
  s.elapsed = 100s;
  s.running = 2;
  s.waiting = 3;
  s.completed = 1;
  s.stopped = 3;
  s.failed = 1;
  s.trial_limit = 20;
  s.budget_used = 12.5;
  s.metric = "val_loss";
  return s;
}

campaign::CampaignSpec spec_with(const std::string& scheduler, const std::string& budget) {
  return campaign::parse_campaign(fmt::format(R"(name: limits
space:
  x: {{type: float, low: 0.0, high: 1.0}}
budget: {}
scheduler: {}
trial:
  command: [no-such-trainer]
)",
                                              budget, scheduler),
                                  "limits.yaml", std::filesystem::temp_directory_path());
}

const std::string kUnits = "{min: 1, max: 27}";
const std::string kEpochs = "{min: 1, max: 27, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27}}}";

}  // namespace

TEST_CASE("progress line: running, waiting, settled trials of the limit, budget and time left") {
  auto s = asha_snapshot();
  const auto line = campaign::format_progress(s);
  CHECK(line.find("[01:40] running 2 | waiting 3 | completed 1 | stopped early 3 | failed 1 | done 5/20 trials") == 0);
  CHECK(line.find("| budget 12.5 |") != std::string::npos);
  // 5 of 20 trials settled in 100 s: 15 more at that rate.
  CHECK(line.find("| left ~5m |") != std::string::npos);
  CHECK(line.find("best val_loss -") != std::string::npos);

  s.trial_limit.reset();  // Hyperband without a planned budget cannot happen; no limit: no "done", no estimate
  const auto unlimited = campaign::format_progress(s);
  CHECK(unlimited.find("done") == std::string::npos);
  CHECK(unlimited.find("| left ? |") != std::string::npos);

  s.finished = true;  // the final line: no estimate
  CHECK(campaign::format_progress(s).find("left") == std::string::npos);
}

TEST_CASE("progress estimate: elapsed x (1 - f) / f, f from the planned budget first, else the larger of the limits") {
  campaign::ProgressSnapshot s;
  s.elapsed = 60s;
  CHECK_FALSE(campaign::estimate_seconds_left(s));  // nothing to measure against

  s.budget_planned = 100;
  CHECK_FALSE(campaign::estimate_seconds_left(s));  // nothing ended yet: "?"
  s.budget_done = 25;
  CHECK(campaign::fraction_done(s) == doctest::Approx(0.25));
  CHECK(campaign::estimate_seconds_left(s) == doctest::Approx(180));
  s.trial_limit = 4;  // the planned budget wins over trials (Hyperband's trials settle unevenly)
  s.completed = 3;
  CHECK(campaign::estimate_seconds_left(s) == doctest::Approx(180));
  s.budget_done = 130;  // runs may cost more than planned (e.g. a retrained resume): done, not negative
  CHECK(campaign::estimate_seconds_left(s) == doctest::Approx(0));

  campaign::ProgressSnapshot asha;
  asha.elapsed = 120s;
  asha.trial_limit = 10;
  asha.units_limit = 200;
  asha.stopped = 2;       // 20 % by trials
  asha.units_done = 80;   // 40 % by units: whichever limit ends the campaign first
  CHECK(campaign::fraction_done(asha) == doctest::Approx(0.4));
  CHECK(campaign::estimate_seconds_left(asha) == doctest::Approx(180));
  asha.elapsed = 0s;
  CHECK_FALSE(campaign::estimate_seconds_left(asha));
}

TEST_CASE("progress estimate: time left is printed in the unit that fits") {
  CHECK(campaign::format_time_left(std::nullopt) == "?");
  CHECK(campaign::format_time_left(44.6) == "45s");
  CHECK(campaign::format_time_left(720) == "12m");
  CHECK(campaign::format_time_left(3900) == "1h05m");
  CHECK(campaign::format_time_left(2.3 * 86400) == "2.3 days");
  CHECK(campaign::format_time_left(-3) == "0s");
}

TEST_CASE("campaign limits: Hyperband's trials and charges, summed over its brackets and iterations") {
  // R = 27, eta = 3, no dimension: the cost is the units and nothing carries over, so every
  // run is charged in full: 27x1 + 9x3 + 3x9 + 1x27 | 12x3 + 4x9 + 1x27 | 6x9 + 2x27 | 4x27.
  const auto units = campaign::campaign_limits(spec_with("{type: hyperband, eta: 3, iterations: 2}", kUnits));
  CHECK(units.trials == 2 * (27 + 12 + 6 + 4));
  CHECK(units.budget.value() == doctest::Approx(2 * (108 + 99 + 108 + 108)));
  CHECK_FALSE(units.units);
  // Continued epochs: a promotion is charged the epochs it adds.
  const auto epochs = campaign::campaign_limits(spec_with("{type: hyperband, eta: 3}", kEpochs));
  CHECK(epochs.budget.value() == doctest::Approx((27 + 9 * 2 + 3 * 6 + 18) + (36 + 4 * 6 + 18) + (54 + 2 * 18) + 108));
  const auto sh = campaign::campaign_limits(spec_with("{type: successive_halving, eta: 3, bracket: 1}", kUnits));
  CHECK(sh.trials == 6);  // the paper's n for s = 1: 6 at level 2, 2 at level 3
  CHECK(sh.budget.value() == doctest::Approx(6 * 9 + 2 * 27));
  const auto asha = campaign::campaign_limits(spec_with("{type: asha, max_trials: 12, max_budget: 300}", kEpochs));
  CHECK(asha.trials == 12);
  CHECK(asha.units.value() == doctest::Approx(300));
  CHECK_FALSE(asha.budget);
}

TEST_CASE("campaign limits: a simulated Hyperband campaign runs exactly the planned trials and budget") {
  testing::TempDir dir;
  const auto spec = spec_with("{type: hyperband, eta: 3, max_concurrent: 4}", kEpochs);
  auto scheduler = campaign::make_scheduler(spec);
  const auto summary = campaign::run_simulation(spec, *scheduler, {.seed = 2, .epoch_seconds = 1}, dir.path() / "out");
  const auto limits = campaign::campaign_limits(spec);
  CHECK(summary.trials == limits.trials.value());
  CHECK(summary.outcome.totals.budget_used == doctest::Approx(limits.budget.value()));
  CHECK(summary.outcome.totals.budget_done == doctest::Approx(limits.budget.value()));
  CHECK(summary.outcome.totals.trials_done() == limits.trials.value());
  CHECK(campaign::fraction_done(summary.outcome.totals) == doctest::Approx(1));
}
