// The trial protocol checked: a promoted run told to resume that reports its trial's steps
// again trained from the start. It is warned about once per trial and charged a fresh run;
// a trial that loads its checkpoint is charged the increment, with no warning.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

#include "campaign/campaign_spec.hpp"
#include "campaign/retrain_check.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;

namespace {

// Successive halving over epochs 1, 3, 9: 9 trials at 1 epoch, 3 resumed to 3, 1 to 9.
campaign::CampaignSpec campaign_with(const std::string& command) {
  return campaign::parse_campaign(fmt::format(R"(name: protocol
seed: 3
metric: {{name: loss, mode: min}}
space:
  x: {{type: float, low: 0.001, high: 10.0, log: true}}
budget: {{min: 1, max: 9, dimensions: {{epochs: {{type: int, growth: continued, min: 1, max: 9}}}}}}
scheduler: {{type: successive_halving, eta: 3, max_concurrent: 3}}
trial:
  command: {}
)",
                                              command),
                                  "protocol.yaml", std::filesystem::temp_directory_path());
}

}  // namespace

TEST_CASE("retrain check: only a resumed run whose first step repeats its trial's steps retrained") {
  const auto spec = campaign_with("[fake_trial]");
  scheduler::Job job;
  job.budget = spec.ladder.at(1);  // 3 epochs
  job.resume_from = spec.ladder.at(0);
  CHECK(campaign::retrains_from_start(spec.ladder, job, 1, 1.0));  // reported step 1 again
  CHECK(campaign::retrains_from_start(spec.ladder, job, 0, 1.0));  // counted from 0
  CHECK_FALSE(campaign::retrains_from_start(spec.ladder, job, 2, 1.0));  // went on after its checkpoint
  CHECK_FALSE(campaign::retrains_from_start(spec.ladder, job, 1, std::nullopt));  // nothing reported before
  job.resume_from.reset();  // a fresh run counts from the start by design
  CHECK_FALSE(campaign::retrains_from_start(spec.ladder, job, 1, 1.0));
  CHECK(campaign::retrained_cost(spec.ladder, job) == doctest::Approx(3));
}

TEST_CASE("retrain check: a trial that ignores RUNGS_RESUME is warned about once and charged what it trained") {
  TempDir dir;
  // `score` reports steps 1..epochs whatever RUNGS_RESUME says.
  const auto spec = campaign_with(R"([fake_trial, score, "{x}", "{epochs}", "1"])");
  const auto outcome = run_local_campaign(spec, dir.path() / "out");
  REQUIRE_FALSE(outcome.interrupted);
  // Fresh runs throughout: 9 x 1 + 3 x 3 + 1 x 9, not the increments 9 + 3 x 2 + 1 x 6.
  CHECK(outcome.totals.budget_used == doctest::Approx(27));
  double charged = 0;
  for (const auto& run : read_table(dir.path() / "out", "runs")) {
    charged += run["cost"].get<double>();
    if (run["resumed"].get<int>()) CHECK(run["cost"].get<double>() == doctest::Approx(run["level"] == 1 ? 3 : 9));
  }
  CHECK(charged == doctest::Approx(27));
  // The trial promoted twice is warned about once: one warning per trial promoted (3).
  const auto warnings = read_table(dir.path() / "out", "warnings");
  std::set<std::int64_t> warned;
  for (const auto& warning : warnings) {
    const auto message = warning["message"].get<std::string>();
    CAPTURE(message);
    CHECK(message.find("ignored RUNGS_RESUME") != std::string::npos);
    warned.insert(warning["trial"].get<std::int64_t>());
  }
  CHECK(warnings.size() == 3);
  CHECK(warned.size() == 3);
  CHECK(read_file(dir.path() / "out" / "warnings.log").find("ignored RUNGS_RESUME") != std::string::npos);
}

TEST_CASE("retrain check: a trial that resumes from its checkpoint is charged the increment, without warning") {
  TempDir dir;
  const auto spec = campaign_with(R"([fake_trial, checkpointed, "{epochs}", "1", "{trial_dir}/checkpoint"])");
  const auto outcome = run_local_campaign(spec, dir.path() / "out");
  REQUIRE_FALSE(outcome.interrupted);
  CHECK(outcome.totals.budget_used == doctest::Approx(9 + 3 * 2 + 1 * 6));
  CHECK(read_table(dir.path() / "out", "warnings").empty());
}
