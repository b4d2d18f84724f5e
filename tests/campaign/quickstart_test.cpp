// The quickstart campaign end to end, as the README runs it and with small settings: real
// trainer processes, real scheduler decisions, results on disk.
#include <doctest/doctest.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/io_context.hpp>

#include <map>

#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/factory.hpp"
#include "campaign/trial_launch.hpp"
#include "runners/local_runner.hpp"
#include "test_support.hpp"

using namespace rungs;

namespace {

const std::filesystem::path kQuickstart = std::filesystem::path(RUNGS_SOURCE_DIR) / "examples/01_quickstart";

// The quickstart's budget on Hyperband's geometric levels, smaller: epochs 1, 3, 9 on these data
// fractions (the quickstart itself runs freeze-thaw over a linear ladder).
YAML::Node small_budget(const std::string& fractions) {
  return YAML::Load("{min: 1, max: 9, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 9}, "
                    "data_fraction: {type: float, values: " + fractions + ", on_change: warm_start}}}");
}

campaign::CampaignSpec parsed(const YAML::Node& root) {
  YAML::Emitter out;
  out << root;
  return campaign::parse_campaign(out.c_str(), "campaign.yaml", kQuickstart);
}

// The quickstart YAML with the small budget and one successive-halving bracket.
// `optimizer` is the YAML of the optimizer section.
campaign::CampaignSpec small_quickstart(const std::string& optimizer,
                                        const std::string& scheduler = "{type: successive_halving, max_concurrent: 2}") {
  YAML::Node root = YAML::LoadFile((kQuickstart / "campaign.yaml").string());
  root["optimizer"] = YAML::Load(optimizer);
  root["scheduler"] = YAML::Load(scheduler);
  root.remove("limits");  // the schedule alone bounds it
  root["budget"] = small_budget("[0.5, 1.0, 1.0]");
  return parsed(root);
}



// The epochs each trial actually trained, from its reports.
std::map<int, int> epochs_trained(const std::filesystem::path& output) {
  std::map<int, int> epochs;
  for (const auto& report : testing::read_table(output, "reports"))
    epochs[report["trial"].get<int>()] = std::max(epochs[report["trial"].get<int>()], report["step"].get<int>());
  return epochs;
}

// Runs the small quickstart and checks what every optimizer must give.
void check_small_quickstart(const std::string& optimizer) {
  testing::TempDir dir;
  const auto outcome = testing::run_local_campaign(small_quickstart(optimizer), dir.path());

  CHECK_FALSE(outcome.interrupted);
  // Successive halving with eta 3 over 3 levels: 9 trials at 1 epoch, 3 at 3, 1 at 9.
  const auto runs = testing::read_table(dir.path(), "runs");
  CHECK(runs.size() == 9 + 3 + 1);

  auto epochs = epochs_trained(dir.path());
  const auto trials = testing::read_table(dir.path(), "trials");
  REQUIRE(trials.size() == 9);
  int stopped = 0, failed = 0, completed = 0, most_stopped = 0, fewest_completed = 1 << 30;
  for (const auto& trial : trials) {
    const int id = trial["trial"].get<int>();
    if (trial["state"] == "stopped") ++stopped, most_stopped = std::max(most_stopped, epochs[id]);
    if (trial["state"] == "failed") ++failed;  // e.g. a diverged learning rate
    if (trial["state"] == "completed") ++completed, fewest_completed = std::min(fewest_completed, epochs[id]);
  }
  CHECK(stopped + failed == 8);
  CHECK(stopped >= 2);  // the three best at level 0 were promoted; two of them stopped at level 1
  CHECK(completed == 1);
  CHECK(most_stopped < fewest_completed);
  CHECK(fewest_completed == 9);  // resumed from its checkpoint: steps continue 1..9

  REQUIRE(outcome.best);
  CHECK(outcome.best->level == 2);
  CHECK(outcome.best->metrics["val_acc"].get<double>() > 0.5);
  // Product cost (docs/fidelity.md): 9 runs of 1 epoch at half the data, 3 promotions that add
  // 2 epochs at full data, 1 that adds 6.
  CHECK(outcome.totals.budget_used == doctest::Approx(9 * 0.5 + 3 * (3 - 1) + 1 * (9 - 3)));
}

}  // namespace

TEST_CASE("quickstart: stopped trials train fewer epochs than promoted ones, a best is reported") {
  check_small_quickstart("random");
}

// Models kick in after 5 observations here (the defaults wait for d + 2 = 9 or more).
TEST_CASE("quickstart: optimizer tpe drives the same campaign") {
  check_small_quickstart("{type: tpe, min_points_in_model: 3}");
}

TEST_CASE("quickstart: optimizer gp drives the same campaign") {
  check_small_quickstart("{type: gp, min_points: 5, candidates: 200}");
}

TEST_CASE("quickstart: ASHA (promotion) pauses trials at rungs and resumes the promoted ones") {
  testing::TempDir dir;
  const auto outcome = testing::run_local_campaign(small_quickstart("random", "{type: asha, max_trials: 12, max_concurrent: 2}"), dir.path());
  REQUIRE(outcome.best);
  const auto trials = testing::read_table(dir.path(), "trials");
  CHECK(trials.size() == 12);
  int resumed = 0;
  for (const auto& run : testing::read_table(dir.path(), "runs")) resumed += run["resumed"].get<int>();
  CHECK(resumed >= 4);  // floor(12/3) promotions from rung 0 at least
  auto epochs = epochs_trained(dir.path());
  int top = 0;
  for (const auto& [trial, trained] : epochs) top = std::max(top, trained);
  CHECK(top == 9);
}

// Processes whose working directory is under `dir`: a campaign's trials, if any are left.
std::vector<std::string> processes_under(const std::filesystem::path& dir) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::error_code link_error;
    const auto cwd = std::filesystem::read_symlink(entry.path() / "cwd", link_error);
    if (!link_error && cwd.string().rfind(dir.string(), 0) == 0) found.push_back(entry.path().filename().string());
  }
  return found;
}

TEST_CASE("quickstart: pause: signal keeps a paused trial's process and continues it on promotion") {
  YAML::Node root = YAML::LoadFile((kQuickstart / "campaign.yaml").string());
  root["scheduler"] = YAML::Load("{type: asha, max_trials: 12, max_concurrent: 2}");
  root["budget"] = small_budget("[1.0, 1.0, 1.0]");
  root["trial"]["pause"] = "signal";
  root["trial"]["max_paused"] = 4;
  const auto spec = parsed(root);

  testing::TempDir dir;
  const auto outcome = testing::run_local_campaign(spec, dir.path());
  REQUIRE(outcome.best);
  CHECK(outcome.best->level == 2);
  int paused = 0, promoted = 0;
  for (const auto& run : testing::read_table(dir.path(), "runs")) {
    paused += run["paused"].get<int>();
    promoted += run["resumed"].get<int>();
    if (run["paused"].get<int>()) CHECK(run["level"].get<int>() < 2);  // the top level runs to its end
  }
  CHECK(paused >= 8);
  CHECK(promoted >= 4);
  // Promotions continued kept processes: no epoch was trained twice, none was skipped.
  int continued = 0;
  for (const auto& trial : testing::read_table(dir.path(), "trials")) {
    const auto id = trial["trial"].get<int>();
    continued += testing::read_file(campaign::trial_directory(dir.path(), id) / "stdout.log")
                     .find("the paused process continues") != std::string::npos;
    std::vector<int> steps;
    for (const auto& report : testing::read_table(dir.path(), "reports"))
      if (report["trial"] == id) steps.push_back(report["step"].get<int>());
    for (std::size_t i = 0; i < steps.size(); ++i) CHECK(steps[i] == static_cast<int>(i) + 1);
  }
  CHECK(continued >= 2);
  CHECK(processes_under(dir.path()).empty());  // paused processes were ended with the campaign
}

TEST_CASE("quickstart: asynchronous BOHB (ASHA stopping mode + TPE) stops runs below the cutoff") {
  testing::TempDir dir;
  const auto outcome = testing::run_local_campaign(
      small_quickstart("{type: tpe, min_points_in_model: 3}", "{type: asha, mode: stopping, max_trials: 12, max_concurrent: 2}"),
      dir.path());
  REQUIRE(outcome.best);
  CHECK(outcome.best->level == 2);  // only runs that reached their budget can be best
  int stopped = 0;
  for (const auto& run : testing::read_table(dir.path(), "runs")) {
    CHECK(run["budget"]["epochs"] == 9);  // stopping mode launches every trial at the top budget
    stopped += run["stopped_by_scheduler"].get<int>();
  }
  CHECK(stopped >= 1);
  // A stopped trial trained fewer epochs (a stop may land after the last one on a busy machine:
  // an epoch takes milliseconds here).
  const auto epochs = epochs_trained(dir.path());
  int cut_short = 0;
  for (const auto& trial : testing::read_table(dir.path(), "trials"))
    if (trial["state"] == "stopped") cut_short += epochs.at(trial["trial"].get<int>()) < 9;
  CHECK(cut_short >= 1);
}

TEST_CASE("quickstart: Hyperband with the median stopping rule") {
  testing::TempDir dir;
  const auto outcome = testing::run_local_campaign(
      small_quickstart("random", "{type: hyperband, max_concurrent: 2, stopping_rule: {type: median, min_samples: 2}}"),
      dir.path());
  REQUIRE(outcome.best);
  CHECK(!testing::read_table(dir.path(), "runs").empty());
}

TEST_CASE("quickstart: the README's campaign runs from the CLI and finds a model above 0.9 accuracy") {
  testing::TempDir dir;
  const auto file = (kQuickstart / "campaign.yaml").string();
  const int code = testing::run_rungs({"run", file, "--output", "out"}, dir.path() / "log", dir.path());
  const auto log = testing::read_file(dir.path() / "log");
  INFO(log);
  REQUIRE(code == 0);
  CHECK(log.find("Best configuration") != std::string::npos);
  CHECK(log.find("stopped early") != std::string::npos);  // the progress line

  const auto best = nlohmann::json::parse(testing::read_file(dir.path() / "out/best.json"));
  CHECK(best["report"]["val_acc"].get<double>() > 0.9);
  CHECK(best["level"] == 13);  // 27 epochs, the top of levels 1, 3, ..., 27
  // Freeze-thaw + TPE under limits.cost 330: most trials paused below the top, the charge within it.
  CHECK(log.find("Stopped launching: cost limit 330 reached") != std::string::npos);
  int paused = 0;
  for (const auto& trial : testing::read_table(dir.path() / "out", "trials")) paused += trial["state"] == "waiting";
  CHECK(paused > 10);
  double cost = 0;
  for (const auto& run : testing::read_table(dir.path() / "out", "runs")) cost += run["cost"].get<double>();
  CHECK(cost <= 330 + 1e-9);
  CHECK(testing::read_file(dir.path() / "out/campaign.yaml") == testing::read_file(file));
}
