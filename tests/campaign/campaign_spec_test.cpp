// Loading a campaign file: the happy path and errors that name file, line and key path.
#include <doctest/doctest.h>

#include <string>

#include "campaign/campaign_spec.hpp"
#include "campaign/config_error.hpp"

using rungs::campaign::ConfigError;
using rungs::campaign::parse_campaign;

namespace {

const std::string kValid = R"(name: demo
seed: 3
metric: {name: acc, mode: max}
space:
  lr: {type: float, low: 0.001, high: 1, log: true}
  opt: {type: categorical, choices: [sgd, adam]}
  beta1: {type: float, low: 0.8, high: 0.99, when: {opt: adam}}
budget:
  min: 1
  max: 9
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 9}
    fraction: {values: [0.25, 0.5, 1.0]}
scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}
trial:
  command: [train, --lr, "{lr}", "--beta1={beta1}", --epochs, "{epochs}", "{trial_dir}"]
  timeout: 2m
  grace_period: 500ms
)";

// Replaces the first occurrence of `from` in the valid file.
std::string with(const std::string& from, const std::string& to) {
  std::string text = kValid;
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

ConfigError error_of(const std::string& text) {
  try {
    parse_campaign(text, "campaign.yaml", "/tmp");
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw;
}

}  // namespace

TEST_CASE("a valid campaign loads with every section") {
  const auto spec = parse_campaign(kValid, "campaign.yaml", "/tmp");
  CHECK(spec.name == "demo");
  CHECK(spec.seed == 3);
  CHECK(spec.metric.maximize);
  CHECK(spec.metric.to_minimize(0.9) == doctest::Approx(-0.9));
  CHECK(spec.space.dimension() == 3);
  REQUIRE(spec.ladder.levels() == 3);
  CHECK(spec.ladder.at(0).values.at("epochs") == 1);
  CHECK(spec.ladder.at(1).values.at("epochs") == 3);
  CHECK(spec.ladder.at(2).values.at("fraction") == 1.0);
  CHECK(std::holds_alternative<rungs::scheduler::SuccessiveHalvingOptions>(spec.scheduler.kind));
  CHECK(spec.scheduler.max_concurrent == 4);
  CHECK(spec.trial.timeout == std::chrono::minutes(2));
  CHECK(spec.trial.grace == std::chrono::milliseconds(500));
  CHECK(spec.trial.command.size() == 7);
}

TEST_CASE("an unknown top-level key names its line and suggests the right one") {
  const auto e = error_of(with("seed: 3", "sead: 3"));
  CHECK(e.where().file == "campaign.yaml");
  CHECK(e.where().line == 2);
  CHECK(e.key_path() == "sead");
  CHECK(std::string(e.what()).find("did you mean 'seed'") != std::string::npos);
}

TEST_CASE("a bad scheduler setting points at its key") {
  const auto e = error_of(with("eta: 3", "eta: 1"));
  CHECK(e.where().line == 14);
  CHECK(e.key_path() == "scheduler.eta");
}

TEST_CASE("an unknown scheduler type is refused") {
  const auto e = error_of(with("type: successive_halving", "type: asha-ish"));
  CHECK(e.key_path() == "scheduler.type");
  CHECK(std::string(e.what()).find("asha-ish") != std::string::npos);
}

TEST_CASE("a listed dimension must give one value per level") {
  const auto e = error_of(with("[0.25, 0.5, 1.0]", "[0.5, 1.0]"));
  CHECK(e.key_path() == "budget.dimensions.fraction");
  CHECK(e.where().line == 13);
  CHECK(std::string(e.what()).find("3 levels") != std::string::npos);
}

TEST_CASE("budget max below min is refused at budget.max") {
  const auto e = error_of(with("max: 9\n", "max: 0.5\n"));
  CHECK(e.key_path() == "budget.max");
  CHECK(e.where().line == 10);
}

TEST_CASE("a placeholder that names nothing is refused with the known names") {
  const auto e = error_of(with("\"{lr}\"", "\"{learning_rate}\""));
  CHECK(e.key_path() == "trial.command");
  CHECK(std::string(e.what()).find("{learning_rate}") != std::string::npos);
  CHECK(std::string(e.what()).find("lr") != std::string::npos);
}

TEST_CASE("a command given as one shell string is refused") {
  const auto e = error_of(with("command: [train, --lr, \"{lr}\", \"--beta1={beta1}\", --epochs, \"{epochs}\", \"{trial_dir}\"]",
                               "command: \"train --lr {lr}\""));
  CHECK(e.key_path() == "trial.command");
  CHECK(std::string(e.what()).find("no shell") != std::string::npos);
}

TEST_CASE("a parameter may not shadow a budget dimension") {
  const auto e = error_of(with("  opt: {type", "  epochs: {type: int, low: 1, high: 3}\n  opt: {type"));
  CHECK(e.key_path() == "budget.dimensions.epochs");
}

TEST_CASE("bad durations and metric modes name their key") {
  CHECK(error_of(with("timeout: 2m", "timeout: soon")).key_path() == "trial.timeout");
  CHECK(error_of(with("mode: max", "mode: up")).key_path() == "metric.mode");
}

TEST_CASE("a regex report pattern is checked when the file loads") {
  const auto e = error_of(with("  timeout: 2m", "  report: {format: regex, pattern: \"(unclosed\"}\n  timeout: 2m"));
  CHECK(e.key_path() == "trial.report.pattern");
  CHECK(e.where().line == 17);
}

TEST_CASE("YAML syntax errors carry the parser's position") {
  const auto e = error_of("name: x\nspace: {lr: [1, 2\n");
  CHECK(e.where().line >= 2);
  CHECK(std::string(e.what()).find("YAML syntax error") != std::string::npos);
}

TEST_CASE("space errors keep their location through the campaign loader") {
  const auto e = error_of(with("when: {opt: adam}", "when: {opt: adamw}"));
  CHECK(e.where().line == 7);
  CHECK(e.key_path().rfind("space.beta1.when", 0) == 0);
}

TEST_CASE("optimizer settings: tpe and gp parse with defaults and overrides") {
  auto spec = parse_campaign(kValid + "optimizer: {type: tpe, top_n_percent: 20, num_samples: 32}\n", "campaign.yaml", "/tmp");
  const auto* tpe = std::get_if<rungs::optimizers::TpeSettings>(&spec.optimizer);
  REQUIRE(tpe);
  CHECK(tpe->top_n_percent == 20);
  CHECK(tpe->num_samples == 32);
  CHECK(tpe->random_fraction == doctest::Approx(1.0 / 3));  // the paper's default
  spec = parse_campaign(kValid + "optimizer: {type: gp, acquisition: ucb, kappa: 3}\n", "campaign.yaml", "/tmp");
  const auto* gp = std::get_if<rungs::optimizers::GpSettings>(&spec.optimizer);
  REQUIRE(gp);
  CHECK(gp->acquisition == rungs::optimizers::GpAcquisition::lower_confidence_bound);
  CHECK(gp->kappa == 3);
  CHECK(rungs::study::optimizer_name(parse_campaign(kValid + "optimizer: tpe\n", "campaign.yaml", "/tmp").optimizer) == "tpe");
  CHECK(rungs::study::optimizer_name(parse_campaign(kValid, "campaign.yaml", "/tmp").optimizer) == "random");
}

TEST_CASE("optimizer settings: bad values point at their key") {
  auto e = error_of(kValid + "optimizer: {type: tpe, top_n_percent: 150}\n");
  CHECK(e.key_path() == "optimizer.top_n_percent");
  CHECK(e.where().line == 19);
  e = error_of(kValid + "optimizer: {type: gp, acquisition: pi}\n");
  CHECK(e.key_path() == "optimizer.acquisition");
  e = error_of(kValid + "optimizer: {type: tpe, max_points: 5}\n");
  CHECK(e.key_path() == "optimizer.max_points");  // a GP setting is not a TPE one
  e = error_of(kValid + "optimizer: smac\n");
  CHECK(e.key_path() == "optimizer");
  CHECK(std::string(e.what()).find("known: random, tpe, gp") != std::string::npos);
}

TEST_CASE("scheduler settings: asynchronous schedulers and stopping rules") {
  auto spec = parse_campaign(with("scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}",
                                  "scheduler: {type: asha, mode: stopping, max_trials: 50, max_concurrent: 8,\n"
                                  "            stopping_rule: {type: extrapolation, threshold: 0.1}}"),
                             "campaign.yaml", "/tmp");
  const auto* asha = std::get_if<rungs::scheduler::AshaOptions>(&spec.scheduler.kind);
  REQUIRE(asha);
  CHECK(asha->mode == rungs::scheduler::AshaMode::Stopping);
  CHECK(asha->max_trials == 50u);
  CHECK(spec.scheduler.max_concurrent == 8);
  REQUIRE(spec.scheduler.stopping_rule);
  const auto* rule = std::get_if<rungs::scheduler::CurveExtrapolationOptions>(&*spec.scheduler.stopping_rule);
  REQUIRE(rule);
  CHECK(rule->threshold == doctest::Approx(0.1));
  CHECK(rule->final_step == 0);  // the factory puts the ladder's final milestone there

  auto e = error_of(with("scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}", "scheduler: {type: asha}"));
  CHECK(e.key_path() == "scheduler");
  CHECK(std::string(e.what()).find("max_trials") != std::string::npos);
  e = error_of(with("scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}",
                    "scheduler: {type: async_hyperband, max_trials: 9, iterations: 2}"));
  CHECK(e.key_path() == "scheduler.iterations");
  e = error_of(with("scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}",
                    "scheduler: {type: hyperband, max_trials: 9}"));
  CHECK(e.key_path() == "scheduler.max_trials");
  e = error_of(with("scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}",
                    "scheduler: {type: hyperband, stopping_rule: {type: mean}}"));
  CHECK(e.key_path() == "scheduler.stopping_rule.type");
  e = error_of(with("scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}",
                    "scheduler: {type: asha, max_trials: 9, mode: pause}"));
  CHECK(e.key_path() == "scheduler.mode");
}

TEST_CASE("liveness and pausing settings load, and bad ones point at their key") {
  const auto spec = parse_campaign(with("  grace_period: 500ms\n", "  grace_period: 500ms\n  heartbeat: 10m\n  on_stale: retry\n"
                                                                   "  retries: 2\n  pause: signal\n  max_paused: 3\n"),
                                   "campaign.yaml", "/tmp");
  CHECK(spec.trial.heartbeat == std::chrono::minutes(10));
  CHECK(spec.trial.on_stale == rungs::campaign::TrialSpec::OnStale::Retry);
  CHECK(spec.trial.retries == 2);
  CHECK(spec.trial.keep_paused);
  CHECK(spec.trial.max_paused == 3);

  const auto stale = error_of(with("  grace_period: 500ms\n", "  grace_period: 500ms\n  on_stale: ignore\n"));
  CHECK(stale.key_path() == "trial.on_stale");
  CHECK(stale.where().line == 19);
  CHECK(error_of(with("  grace_period: 500ms\n", "  grace_period: 500ms\n  retries: -1\n")).key_path() == "trial.retries");
  CHECK(error_of(with("  grace_period: 500ms\n", "  grace_period: 500ms\n  pause: sleep\n")).key_path() == "trial.pause");
  // Pausing a process needs a scheduler that pauses at rungs.
  const auto stopping = error_of(with("scheduler: {type: successive_halving, eta: 3, max_concurrent: 4}",
                                      "scheduler: {type: asha, mode: stopping, max_trials: 9}") +
                                 "  pause: signal\n");
  CHECK(stopping.key_path() == "trial.pause");
  CHECK(std::string(stopping.what()).find("stopping") != std::string::npos);
}

TEST_CASE("campaign/spec: the runner section, Slurm requests by budget level") {
  using rungs::campaign::RunnerSpec;
  CHECK(parse_campaign(kValid, "c.yaml", "/tmp").runner.kind == RunnerSpec::Kind::Local);
  const auto spec = parse_campaign(kValid + R"(runner:
  type: slurm
  partition: gpu
  time: 12h
  gres: "gpu:1"
  cpus_per_task: 8
  sbatch_args: [--constraint=a100]
  poll: 2s
  max_resubmits: 5
  levels:
    0: {time: "00:20:00"}
    2: {mem: 64G}
)", "c.yaml", "/tmp");
  REQUIRE(spec.runner.kind == RunnerSpec::Kind::Slurm);
  CHECK(spec.runner.slurm.poll == std::chrono::seconds(2));
  CHECK(spec.runner.slurm.max_resubmits == 5);
  using Options = std::vector<std::string>;
  // Level 0 and 1 take the entry of level 0; level 2 its own on top of the base requests.
  CHECK(sbatch_options(spec.runner.slurm, 0) ==
        Options{"--partition=gpu", "--time=00:20:00", "--gres=gpu:1", "--cpus-per-task=8", "--constraint=a100"});
  CHECK(sbatch_options(spec.runner.slurm, 1) == sbatch_options(spec.runner.slurm, 0));
  CHECK(sbatch_options(spec.runner.slurm, 2) ==
        Options{"--partition=gpu", "--time=12:00:00", "--gres=gpu:1", "--mem=64G", "--cpus-per-task=8",
                "--constraint=a100"});
}

TEST_CASE("campaign/spec: runner errors name the line and key") {
  auto error_of = [](const std::string& runner) {
    try {
      parse_campaign(kValid + runner, "c.yaml", "/tmp");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of("runner: kubernetes\n").find("c.yaml:19:9: runner: unknown runner 'kubernetes'") != std::string::npos);
  CHECK(error_of("runner: {type: slurm, time: soon}\n").find("runner.time: expected a Slurm time") != std::string::npos);
  CHECK(error_of("runner: {type: slurm, sbatch_args: [--output=x]}\n").find("rungs sets --output on every job") !=
        std::string::npos);
  CHECK(error_of("runner: {type: slurm, poll: 100ms}\n").find("runner.poll: must be at least 1s") != std::string::npos);
  CHECK(error_of("runner: {type: slurm, levels: {7: {time: 1h}}}\n").find("this budget has levels 0..2") !=
        std::string::npos);
  CHECK(error_of("runner: {type: slurm, partiton: gpu}\n").find("partiton") != std::string::npos);
}
