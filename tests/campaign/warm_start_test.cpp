// `warm_start:` (campaign/warm_start.hpp): past campaigns seed a new one. Compatible spaces
// feed their observations to the models, changed ones their best configurations first;
// incompatible directories are errors at the entry naming the parameter; narrowing is shown
// and respected; the warm start is recorded, so a resume (even with the sources gone) replays
// identically; the ask/tell API takes the same.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "campaign/trial_launch.hpp"
#include "campaign/warm_start.hpp"
#include "store/store.hpp"
#include "study/study.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

namespace {

// The past campaign: x, y on [0, 1], w a choice; the simulated landscape has its optimum
// somewhere, which its best configurations show.
std::string campaign_yaml(const std::string& space, const std::string& extra = "", const std::string& seed = "3") {
  return fmt::format(R"(name: past
seed: {}
metric: {{name: loss, mode: min}}
space:
{}
budget:
  min: 1
  max: 27
  dimensions:
    epochs: {{type: int, growth: continued, min: 1, max: 27}}
scheduler: {{type: hyperband, eta: 3, iterations: 2, max_concurrent: 2}}
optimizer: tpe
trial:
  command: [true]
{})",
                     seed, space, extra);
}

constexpr const char* kSpace = R"(  x: {type: float, low: 0.0, high: 1.0}
  y: {type: float, low: 0.0, high: 1.0}
  w: {type: categorical, choices: [a, b, c]})";

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

int simulate(const fs::path& dir, const std::string& file, const std::string& output, std::uint64_t crash_after = 0) {
  if (crash_after) setenv("RUNGS_CRASH_AFTER_EVENTS", std::to_string(crash_after).c_str(), 1);
  const int code = run_rungs({"simulate", file, "--output", output, "--quiet"}, dir / (output + ".log"), dir);
  unsetenv("RUNGS_CRASH_AFTER_EVENTS");
  return code;
}

// A finished past campaign in dir/old, run from dir/old.yaml.
void make_past(const TempDir& dir, const std::string& space = kSpace) {
  write_file(dir.path() / "old.yaml", campaign_yaml(space));
  REQUIRE(simulate(dir.path(), "old.yaml", "old") == 0);
}

campaign::ConfigError load_error(const fs::path& file) {
  try {
    campaign::load_campaign(file);
  } catch (const campaign::ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw std::logic_error("unreachable");
}

// The past campaign's best configuration at its highest level.
space::Config past_best(const fs::path& old) {
  const auto store = store::CampaignStore::open(old, true);
  std::optional<store::RunRecord> best;
  for (const auto& run : store.runs())
    if (run.end && run.end->value && (!best || run.level > best->level ||
                                      (run.level == best->level && *run.end->value < *best->end->value)))
      best = run;
  REQUIRE(best);
  return {{"x", best->params["x"].get<double>()}, {"y", best->params["y"].get<double>()}};
}

double distance(const space::Config& a, const space::Config& b) {
  const double dx = std::get<double>(a.at("x")) - std::get<double>(b.at("x"));
  const double dy = std::get<double>(a.at("y")) - std::get<double>(b.at("y"));
  return std::sqrt(dx * dx + dy * dy);
}

}  // namespace

TEST_CASE("warm start, compatible space: past observations seed the model, not the trials") {
  TempDir dir;
  make_past(dir);
  const auto past_runs = store::CampaignStore::open(dir.path() / "old", true).runs();
  std::size_t finished = 0;
  for (const auto& run : past_runs) finished += run.end && run.end->value && !run.end->stopped_by_scheduler ? 1 : 0;

  write_file(dir.path() / "new.yaml", campaign_yaml(kSpace, "warm_start: [old]\n", "11"));
  const auto spec = campaign::load_campaign(dir.path() / "new.yaml");
  REQUIRE(spec.warm);
  REQUIRE(spec.warm->sources.size() == 1);
  CHECK(spec.warm->sources[0].mode == "observations");
  CHECK(spec.warm->sources[0].observations == finished);
  CHECK(spec.warm->observations.size() == finished);
  CHECK(spec.warm->first.empty());
  CHECK(spec.warm->sources[0].changes.empty());

  // The first suggestions are model-based at once and lie nearer the past optimum than a
  // cold start's (same seed, same scheduler): mean distance over the first 12.
  auto cold_spec = spec;
  cold_spec.warm.reset();
  const auto best = past_best(dir.path() / "old");
  const auto mean_distance = [&](const campaign::CampaignSpec& s) {
    auto scheduler = campaign::make_scheduler(s);
    double sum = 0;
    for (int i = 0; i < 12; ++i) {
      const auto job = scheduler->next();
      REQUIRE(job);
      sum += distance(job->config, best);
    }
    return sum / 12;
  };
  const double warm = mean_distance(spec), cold = mean_distance(cold_spec);
  CAPTURE(warm);
  CAPTURE(cold);
  CHECK(warm < 0.6 * cold);

  // The new campaign runs; its trials are its own (ids from 1, none copied from the past).
  REQUIRE(simulate(dir.path(), "new.yaml", "new") == 0);
  const auto store = store::CampaignStore::open(dir.path() / "new", true);
  CHECK(store.trials().front().trial == 1);  // as in a cold campaign
  CHECK(store.runs().size() < past_runs.size() + 100);
  REQUIRE(!store.info().warm_start.is_null());
  CHECK(store.info().warm_start["observations"].size() == finished);
  CHECK(mentions(read_file(dir.path() / "new.log"), fmt::format("Warm start: old ({} observations)", finished)));
}

TEST_CASE("warm start, changed space: added, removed and changed parameters are reported, best configurations first") {
  TempDir dir;
  make_past(dir);
  // y's range changed, w removed, z added.
  write_file(dir.path() / "new.yaml", campaign_yaml(R"(  x: {type: float, low: 0.0, high: 1.0}
  y: {type: float, low: 0.0, high: 0.5}
  z: {type: int, low: 1, high: 9})",
                                                    "warm_start: [old]\n"));
  const auto spec = campaign::load_campaign(dir.path() / "new.yaml");
  REQUIRE(spec.warm);
  const auto& use = spec.warm->sources.at(0);
  CHECK(use.mode == "best");
  CHECK(use.observations == 0);
  REQUIRE(use.changes.size() == 3);
  CHECK(use.changes[0] == "y: range changed, float in [0, 1] -> float in [0, 0.5]");
  CHECK(use.changes[1] == "z: added (not in old)");
  CHECK(use.changes[2] == "w: removed (its values in old are ignored)");
  REQUIRE(spec.warm->first.size() == 3);
  for (const auto& config : spec.warm->first) {
    CHECK(config.at("z") == space::Value(std::int64_t{5}));  // the centre of [1, 9]
    CHECK(std::get<double>(config.at("y")) <= 0.5);         // clipped into the new range
    CHECK(!config.count("w"));
  }
  CHECK(spec.warm->first[0].at("x") == space::Value(std::get<double>(past_best(dir.path() / "old").at("x"))));

  REQUIRE(run_rungs({"validate", "new.yaml"}, dir.path() / "validate.log", dir.path()) == 0);
  const auto validate = read_file(dir.path() / "validate.log");
  CHECK(mentions(validate, "Warm start: old (3 best configurations to try first)"));
  CHECK(mentions(validate, "  z: added (not in old)"));
  CHECK(mentions(validate, "  w: removed"));

  // It runs, the best configurations first.
  REQUIRE(simulate(dir.path(), "new.yaml", "new") == 0);
  const auto trials = store::CampaignStore::open(dir.path() / "new", true).trials();
  REQUIRE(trials.size() > 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(trials[i].params == campaign::to_json(spec.warm->first[i]));
  REQUIRE(run_rungs({"status", "new"}, dir.path() / "status.log", dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "status.log"), "Warm start: old (3 best configurations to try first)"));
  CHECK(mentions(read_file(dir.path() / "status.log"), "  y: range changed"));
}

TEST_CASE("warm start: an incompatible or missing source is an error at its entry, naming the parameter") {
  TempDir dir;
  make_past(dir);
  write_file(dir.path() / "type.yaml", campaign_yaml(R"(  x: {type: int, low: 0, high: 10}
  y: {type: float, low: 0.0, high: 1.0})",
                                                     "warm_start:\n  - old\n"));
  auto e = load_error(dir.path() / "type.yaml");
  CHECK(e.where().line == 17);
  CHECK(e.where().column == 5);
  CHECK(e.key_path() == "warm_start[0]");
  CHECK(mentions(e.what(), "parameter 'x' is float in 'old' but int here"));

  write_file(dir.path() / "choices.yaml", campaign_yaml(R"(  x: {type: float, low: 0.0, high: 1.0}
  w: {type: categorical, choices: [d, e]})",
                                                        "warm_start: {from: [old], mode: best}\n"));
  e = load_error(dir.path() / "choices.yaml");
  CHECK(e.key_path() == "warm_start.from[0]");
  CHECK(mentions(e.what(), "parameter 'w' shares no choice with 'old'"));

  write_file(dir.path() / "missing.yaml", campaign_yaml(kSpace, "warm_start: [old, nowhere]\n"));
  e = load_error(dir.path() / "missing.yaml");
  CHECK(e.key_path() == "warm_start[1]");
  CHECK(e.where().column == 19);
  CHECK(mentions(e.what(), "'nowhere' is not a campaign directory"));

  write_file(dir.path() / "mode.yaml", campaign_yaml(R"(  x: {type: float, low: 0.0, high: 1.0})",
                                                     "warm_start: {from: old, mode: observations}\n"));
  e = load_error(dir.path() / "mode.yaml");
  CHECK(mentions(e.what(), "mode: observations needs the same parameters"));
  CHECK(run_rungs({"validate", "type.yaml"}, dir.path() / "bad.log", dir.path()) == 2);
  CHECK(mentions(read_file(dir.path() / "bad.log"), "type.yaml:17:5: warm_start[0]"));
}

TEST_CASE("warm start, narrow: true: the box around the best is shown, recorded and sampled from") {
  TempDir dir;
  make_past(dir);
  write_file(dir.path() / "new.yaml",
             campaign_yaml(kSpace, "warm_start: {from: [old], narrow: true, top: 3, mode: best}\n", "12"));
  const auto spec = campaign::load_campaign(dir.path() / "new.yaml");
  REQUIRE(spec.warm);
  REQUIRE(!spec.warm->narrowed.empty());
  const auto* x = spec.space.find("x");
  REQUIRE(x);
  const auto box = std::get<space::FloatDomain>(x->domain);
  CHECK(box.high - box.low < 1.0);
  for (const auto& config : spec.warm->sources[0].best) {
    CHECK(std::get<double>(config.at("x")) >= box.low);
    CHECK(std::get<double>(config.at("x")) <= box.high);
  }
  REQUIRE(run_rungs({"validate", "new.yaml"}, dir.path() / "validate.log", dir.path()) == 0);
  CHECK(mentions(read_file(dir.path() / "validate.log"), "  narrowed x: float in [0, 1] -> float in ["));

  REQUIRE(simulate(dir.path(), "new.yaml", "new") == 0);
  const auto store = store::CampaignStore::open(dir.path() / "new", true);
  CHECK(store.info().space[0].high == box.high);  // the store records the space searched
  for (const auto& trial : store.trials()) {
    CHECK(trial.params["x"].get<double>() >= box.low);
    CHECK(trial.params["x"].get<double>() <= box.high);
  }
  REQUIRE(run_rungs({"status", "new", "--json"}, dir.path() / "status.json", dir.path()) == 0);
  const auto status = nlohmann::json::parse(read_file(dir.path() / "status.json"));
  REQUIRE(status["warm_start"].is_object());
  CHECK(status["warm_start"]["sources"][0]["path"] == "old");
  CHECK(status["warm_start"]["sources"][0]["mode"] == "best");
  CHECK(status["warm_start"]["narrowed"][0]["parameter"] == "x");
  CHECK(mentions(status["warm_start"]["narrowed"][0]["to"].get<std::string>(), "float in ["));
  CHECK(status["state"] == "finished");
}

TEST_CASE("warm start: a resume replays identically from the recorded copy, even with the source gone") {
  TempDir dir;
  make_past(dir);
  // All that users know at once: a prior, a configuration to try first and the past campaign.
  const std::string space = R"(  x: {type: float, low: 0.0, high: 1.0, prior: {center: 0.3, confidence: medium}}
  y: {type: float, low: 0.0, high: 1.0}
  w: {type: categorical, choices: [a, b, c]})";
  write_file(dir.path() / "new.yaml",
             campaign_yaml(space, "warm_start: [old]\nstart_with: [{x: 0.5, y: 0.25, w: c}]\n", "21"));
  REQUIRE(simulate(dir.path(), "new.yaml", "whole") == 0);
  REQUIRE(simulate(dir.path(), "new.yaml", "crashed", 40) == 128 + SIGKILL);
  fs::rename(dir.path() / "old", dir.path() / "moved");  // the source moved away meanwhile
  REQUIRE(run_rungs({"resume", "crashed", "--quiet"}, dir.path() / "resume.log", dir.path()) == 0);
  const auto whole = store::CampaignStore::open(dir.path() / "whole", true).trials();
  const auto crashed = store::CampaignStore::open(dir.path() / "crashed", true).trials();
  REQUIRE(whole.size() == crashed.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    CHECK(whole[i].params == crashed[i].params);
    CHECK(whole[i].values_by_level == crashed[i].values_by_level);
  }
  CHECK(read_file(dir.path() / "crashed" / "best.json") == read_file(dir.path() / "whole" / "best.json"));
  CHECK(crashed[0].params == nlohmann::json{{"x", 0.5}, {"y", 0.25}, {"w", "c"}});  // start_with's, first
  REQUIRE(run_rungs({"status", "crashed"}, dir.path() / "status.log", dir.path()) == 0);
  const auto status = read_file(dir.path() / "status.log");
  CHECK(mentions(status, "Warm start"));
  CHECK(mentions(status, "Prior knowledge: priors on x (center 0.3"));
  CHECK(mentions(status, "1 start_with configuration"));
}

TEST_CASE("warm start through the ask/tell API: Study takes the observations and the first configurations") {
  TempDir dir;
  make_past(dir);
  const auto spec = campaign::parse_campaign(campaign_yaml(kSpace), "c.yaml", dir.path());
  const auto warm = campaign::read_warm_start({dir.path() / "old"}, spec.space, spec.ladder, "loss", false);
  REQUIRE(!warm.observations.empty());
  const auto best = past_best(dir.path() / "old");
  const auto mean_distance = [&](bool with_warm) {
    study::StudyOptions options{.scheduler = {scheduler::HyperbandOptions{}}, .optimizer = optimizers::TpeSettings{},
                                .seed = 4};
    if (with_warm) options.warm_start = warm.observations;
    study::Study study(warm.space, spec.ladder, options);
    double sum = 0;
    for (int i = 0; i < 12; ++i) {
      const auto job = study.ask();
      REQUIRE(job);
      CHECK(job->trial == static_cast<scheduler::TrialId>(i + 1));  // past observations are not trials
      sum += distance(job->config, best);
    }
    CHECK(!study.best());
    return sum / 12;
  };
  CHECK(mean_distance(true) < 0.6 * mean_distance(false));

  // mode best: the best configurations are asked first.
  const auto best_mode = campaign::read_warm_start({dir.path() / "old"}, spec.space, spec.ladder, "loss", false,
                                                   campaign::WarmStartMode::Best);
  REQUIRE(best_mode.first.size() == 3);
  CHECK(best_mode.observations.empty());
  study::Study study(best_mode.space, spec.ladder, {.start_with = best_mode.first});
  CHECK(study.ask()->config == best_mode.first[0]);
  CHECK_THROWS_AS(campaign::read_warm_start({dir.path() / "none"}, spec.space, spec.ladder, "loss", false),
                  campaign::ConfigError);
}

TEST_CASE("examples/06_warm_start: the past campaign seeds the new one, narrowed, as its README says") {
  TempDir dir;
  const auto example = fs::path(RUNGS_SOURCE_DIR) / "examples/06_warm_start";
  fs::copy_file(example / "past.yaml", dir.path() / "past.yaml");
  fs::copy_file(example / "campaign.yaml", dir.path() / "campaign.yaml");
  // Simulated trials (the trainer's runs are the examples/05_priors test's business).
  fs::create_directories(dir.path() / "runs");
  REQUIRE(simulate(dir.path(), "past.yaml", "runs/past") == 0);
  REQUIRE(run_rungs({"validate", "campaign.yaml"}, dir.path() / "validate.log", dir.path()) == 0);
  const auto validate = read_file(dir.path() / "validate.log");
  CHECK(mentions(validate, "Warm start: runs/past ("));
  CHECK(mentions(validate, " observations"));
  CHECK(mentions(validate, "  narrowed lr: float in [0.0001, 1], log scale -> float in ["));
  REQUIRE(simulate(dir.path(), "campaign.yaml", "runs/warm") == 0);
  const auto store = store::CampaignStore::open(dir.path() / "runs/warm", true);
  CHECK(store.info().warm_start["sources"][0]["mode"] == "observations");
  CHECK(store.info().warm_start["observations"].size() >= 5);  // at least the 5 best, inside their box
}
