// A population-based training campaign end to end (scheduler/pbt.hpp): real trial processes
// that continue a copied checkpoint (each inheriting trial's first report follows the donor's
// step), the records (inherited.json, the launch's `inherits`, best.json's schedule), the cost
// limit, a crash + resume that makes the uninterrupted decisions, bad settings named at their
// key, and examples/07_pbt on the quickstart trainer.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "campaign/config_error.hpp"
#include "store/lineage.hpp"
#include "store/store.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// fake_trial score: loss (log10(x) + 2)^2 + 1/step, going on after the step in its checkpoint
// file, so a trial whose directory holds a copied checkpoint starts after the donor's step.
constexpr const char* kCampaign = R"(name: pbt
seed: 3
metric: {name: loss, mode: min}
space:
  x: {type: float, low: 1.0e-4, high: 1.0, log: true}
  kind: {type: categorical, choices: [a, b]}
  depth: {type: int, low: 1, high: 4, when: {kind: b}}
budget:
  min: 1
  max: 8
  step: 1
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 8}
scheduler:
  type: pbt
  population: 6
  interval: 2
  quantile: 0.34
  resample_probability: 0.3
  max_concurrent: 3
trial:
  command: [fake_trial, score, "{x}", "{epochs}", "0", "checkpoint"]
)";

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> decisions(const fs::path& dir) {
  std::vector<std::string> rows;
  for (const auto& event : store::CampaignStore::open(dir, /*read_only=*/true).events()) {
    if (event.kind == store::EventKind::Launch)
      rows.push_back(fmt::format("launch {} {} {} {}", event.trial.value_or(-1), event.data["level"].dump(),
                                 event.data["params"].dump(), event.data.value("inherits", nlohmann::json()).dump()));
    else if (event.kind == store::EventKind::Exit)
      rows.push_back(fmt::format("exit {} {}", event.trial.value_or(-1), event.data["value"].dump()));
  }
  return rows;
}

int run(const fs::path& cwd, const std::string& output, std::uint64_t crash_after = 0) {
  if (crash_after) setenv("RUNGS_CRASH_AFTER_EVENTS", std::to_string(crash_after).c_str(), 1);
  const int code = run_rungs({"run", "c.yaml", "--output", output, "--quiet"}, cwd / (output + ".log"), cwd);
  unsetenv("RUNGS_CRASH_AFTER_EVENTS");
  return code;
}

std::string trial_dir(std::int64_t trial) { return fmt::format("trials/{:04d}", trial); }

}  // namespace

TEST_CASE("pbt campaign: inheriting trials continue the donor's copied checkpoint, the schedule is recorded") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", kCampaign);
  REQUIRE(run(dir.path(), "out") == 0);
  const auto out = dir.path() / "out";
  const auto store = store::CampaignStore::open(out, true);
  const auto events = store.events();
  const auto inherited = store::inheritances(events);
  REQUIRE(inherited.size() >= 2);

  std::map<std::int64_t, double> first_step;  // each trial's first reported step
  for (const auto& row : store.reports())
    if (row.step && !first_step.count(row.trial)) first_step[row.trial] = static_cast<double>(*row.step);
  for (const auto& i : inherited) {
    CAPTURE(i.trial);
    // Without the copy the trial would start at step 1: the checkpoint came from the donor.
    CHECK(first_step.at(i.trial) == doctest::Approx(i.units + 1));
    CHECK(fs::exists(out / trial_dir(i.from) / "rungs-checkpoints" / std::to_string(static_cast<int>(i.units) - 1)));
    const auto record = nlohmann::json::parse(read_file(out / trial_dir(i.trial) / "inherited.json"));
    CHECK(record["from"] == i.from);
    CHECK(record["replaced"] == i.replaced);
    CHECK(record["params"] == i.params);
    CHECK(record["from_params"].is_object());
    // Conditions kept: depth is set exactly when kind is b.
    CHECK(i.params.contains("depth") == (i.params["kind"] == "b"));
  }
  // Replaced trials stop; members end at 8 epochs.
  std::size_t completed = 0;
  for (const auto& row : store.trials()) completed += row.state == "completed";
  CHECK(completed == 6);
  for (const auto& i : inherited)
    for (const auto& row : store.trials())
      if (row.trial == i.replaced) CHECK(row.state == "stopped");

  const auto best = nlohmann::json::parse(read_file(out / "best.json"));
  REQUIRE(best["schedule"].is_array());
  CHECK(best["schedule"].front()["from"] == 0.0);
  CHECK(best["schedule"].back()["to"] == 8.0);
  CHECK(best["schedule"].back()["params"] == best["params"]);
  CHECK(mentions(read_file(dir.path() / "out.log"), "  schedule: "));
}

TEST_CASE("pbt campaign: limits.cost stops it like any scheduler") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", std::string(kCampaign) + "limits: {cost: 20}\n");
  REQUIRE(run(dir.path(), "out") == 0);
  double cost = 0;
  for (const auto& row : read_table(dir.path() / "out", "runs")) cost += row["cost"].get<double>();
  CHECK(cost <= 20);
  CHECK(cost >= 16);  // runs of 2 epochs go on until the next would pass 20
  CHECK(mentions(read_file(dir.path() / "out.log"), "cost limit 20 reached"));
}

TEST_CASE("pbt campaign: killed midway and resumed, it makes the uninterrupted decisions (perturb and pb2)") {
  std::vector<std::string> perturbed;  // the perturb campaign's decisions: pb2 must choose otherwise
  for (const std::string explore : {"perturb", "pb2"}) {
    CAPTURE(explore);
    TempDir dir;
    // One run at a time: the order of run ends (and so the decisions) does not depend on timing.
    std::string text = kCampaign;
    text.replace(text.find("max_concurrent: 3"), 17, "max_concurrent: 1\n  explore: " + explore);
    write_file(dir.path() / "c.yaml", text);
    REQUIRE(run(dir.path(), "whole") == 0);
    const auto expected = decisions(dir.path() / "whole");
    if (explore == "perturb") {
      perturbed = expected;
    } else {
      CHECK(expected != perturbed);
    }
    const auto total = store::CampaignStore::open(dir.path() / "whole", true).events().size();
    REQUIRE(total > 60);
    for (const std::uint64_t crash_after : {total / 3, 2 * total / 3}) {
      CAPTURE(crash_after);
      const std::string output = fmt::format("crash{}", crash_after);
      REQUIRE(run(dir.path(), output, crash_after) == 128 + SIGKILL);
      REQUIRE(run_rungs({"resume", output, "--quiet"}, dir.path() / (output + ".resume.log"), dir.path()) == 0);
      CHECK(decisions(dir.path() / output) == expected);
    }
  }
}

TEST_CASE("pbt campaign file: settings are read, bad ones named at file:line:col and key") {
  const auto spec = campaign::parse_campaign(kCampaign, "c.yaml", "/tmp");
  const auto* options = std::get_if<scheduler::PbtOptions>(&spec.scheduler.kind);
  REQUIRE(options != nullptr);
  CHECK(options->population == 6);
  CHECK(options->interval == doctest::Approx(2));
  CHECK(options->quantile == doctest::Approx(0.34));
  CHECK(options->resample_probability == doctest::Approx(0.3));
  CHECK_FALSE(options->synchronous);
  CHECK(spec.scheduler.max_concurrent == 3);

  auto error_of = [](std::string from, std::string to) -> std::string {
    std::string text = kCampaign;
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    try {
      campaign::parse_campaign(text, "c.yaml", "/tmp");
    } catch (const campaign::ConfigError& e) {
      return std::string(e.what());
    }
    return "no error";
  };
  CHECK(error_of("interval: 2", "interval: 1.5") ==
        "c.yaml:17:13: scheduler.interval: must be a whole multiple of budget.step (1), got 1.5");
  CHECK(mentions(error_of("quantile: 0.34", "quantile: 0.7"), "c.yaml:18:13: scheduler.quantile: must be in (0, 0.5]"));
  CHECK(mentions(error_of("population: 6", "population: 1"), "c.yaml:16:15: scheduler.population: must be at least 2"));
  CHECK(mentions(error_of("  quantile: 0.34\n", "  quantile: 0.34\n  perturb: [0.8]\n"),
                 "c.yaml:19:12: scheduler.perturb: must be two factors"));
  CHECK(error_of("  quantile: 0.34\n", "  quantile: 0.34\n  explore: bandit\n") ==
        "c.yaml:19:12: scheduler.explore: must be perturb (PBT: values x a perturb factor) or pb2 (a GP bandit chooses "
        "them), got 'bandit'");
  CHECK(mentions(error_of("  quantile: 0.34\n", "  quantile: 0.34\n  explor: pb2\n"), "c.yaml:19:3: scheduler.explor: unknown key"));
  std::string pb2_text = kCampaign;
  pb2_text.replace(pb2_text.find("  max_concurrent"), 0, "  explore: pb2\n");
  const auto pb2 = campaign::parse_campaign(pb2_text, "c.yaml", "/tmp");
  CHECK(std::get<scheduler::PbtOptions>(pb2.scheduler.kind).explore == scheduler::PbtExplore::pb2);
  CHECK(options->explore == scheduler::PbtExplore::perturb);
  CHECK(mentions(error_of("  step: 1\n", ""), "c.yaml:9:3: budget: pbt needs linear budget levels"));
  CHECK(mentions(error_of("\"checkpoint\"]\n", "\"checkpoint\"]\n  pause: signal\n"),
                 "c.yaml:23:10: trial.pause: pbt needs pause: exit"));
}

TEST_CASE("examples/07_pbt: PBT on the quickstart trainer, the learning rate changing mid-training") {
  TempDir dir;
  const auto example = fs::path(RUNGS_SOURCE_DIR) / "examples/07_pbt";
  REQUIRE(run_rungs({"validate", (example / "campaign.yaml").string()}, dir.path() / "validate.log", dir.path()) == 0);
  // A linear ladder is summed up by its step (eta spaces only Hyperband's geometric levels).
  CHECK(read_file(dir.path() / "validate.log").find("pbt over 8 budget levels with step 2,") != std::string::npos);
  // Small: 4 members, 8 epochs (the example has 8 members and 16 epochs).
  std::string text = read_file(example / "campaign.yaml");
  const auto replace = [&text](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace("population: 8", "population: 4");
  replace("max: 16\n", "max: 8\n");
  replace("min: 2, max: 16}", "min: 2, max: 8}");
  replace("{campaign_dir}/../01_quickstart", (example / "../01_quickstart").lexically_normal().string());
  write_file(dir.path() / "c.yaml", text);
  const auto out = dir.path() / "out";
  REQUIRE(run_rungs({"run", "c.yaml", "--output", out.string(), "--quiet"}, dir.path() / "run.log", dir.path()) == 0);
  const auto log = read_file(dir.path() / "run.log");
  CHECK(mentions(log, "  schedule: lr "));
  const auto inherited = store::inheritances(store::CampaignStore::open(out, true).events());
  REQUIRE_FALSE(inherited.empty());
  for (const auto& i : inherited) {
    CAPTURE(i.trial);
    const auto stderr_log = read_file(out / trial_dir(i.trial) / "stderr.log");
    // The trainer loaded the donor's weights at the donor's epoch, then trained with the new lr.
    CHECK(mentions(stderr_log, fmt::format("continuing trial {}'s weights after epoch {}", i.from, i.units)));
    const double donor_lr = i.from_params["lr"].get<double>();
    if (donor_lr > 1e-3 && donor_lr < 1.0) CHECK(i.params["lr"] != donor_lr);  // perturbed or resampled, not clipped
  }
}
