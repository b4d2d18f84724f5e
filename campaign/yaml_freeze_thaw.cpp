#include "campaign/yaml_freeze_thaw.hpp"

#include <fmt/format.h>

#include <limits>

namespace rungs::campaign {

namespace {

std::size_t read_count(const YamlNode& node, std::int64_t low,
                       std::int64_t high = std::numeric_limits<std::int64_t>::max()) {
  const auto value = node.as_int();
  if (value < low) node.fail(fmt::format("must be at least {}, got {}", low, value));
  if (value > high) node.fail(fmt::format("must be at most {}, got {}", high, value));
  return static_cast<std::size_t>(value);
}

}  // namespace

SchedulerSpec read_freeze_thaw(const YamlNode& node) {
  node.expect_keys({"type", "eta", "max_trials", "max_budget", "max_concurrent", "initial", "candidates", "local",
                    "train_steps", "retrain_fraction", "leap", "per_cost", "race_after", "model"});
  SchedulerSpec spec;
  scheduler::FreezeThawOptions options;
  spec.eta = node.get_double("eta", spec.eta);
  if (!(spec.eta > 1)) node.at("eta").fail(fmt::format("must be greater than 1, got {}", spec.eta));
  if (auto n = node.find("max_trials")) options.max_trials = read_count(*n, 1);
  if (auto n = node.find("max_budget")) {
    options.max_cost = n->as_double();
    if (!(*options.max_cost > 0)) n->fail("must be positive");
  }
  if (auto n = node.find("max_concurrent")) spec.max_concurrent = read_count(*n, 1);
  if (auto n = node.find("initial")) options.initial = read_count(*n, 1);
  if (auto n = node.find("candidates")) options.candidates = read_count(*n, 0);
  if (auto n = node.find("local")) options.local = read_count(*n, 0);
  if (auto n = node.find("train_steps")) options.train_steps = read_count(*n, 1);
  if (auto n = node.find("retrain_fraction")) {
    options.retrain_fraction = n->as_double();
    if (!(options.retrain_fraction >= 0 && options.retrain_fraction <= 1)) n->fail("must be between 0 and 1");
  }
  if (auto n = node.find("leap")) options.leap = read_count(*n, 1);
  if (auto n = node.find("per_cost")) options.per_cost = n->as_bool();
  if (auto n = node.find("race_after")) options.race_after = n->as_double();
  if (auto model = node.find("model")) {
    model->expect_keys({"members", "hidden", "batch", "learning_rate"});
    if (auto n = model->find("members")) options.model.members = read_count(*n, 1, scheduler::kMaxMembers);
    if (auto n = model->find("hidden")) options.model.hidden = read_count(*n, 1);
    if (auto n = model->find("batch")) options.model.batch = read_count(*n, 1);
    if (auto n = model->find("learning_rate")) {
      options.model.learning_rate = n->as_double();
      if (!(options.model.learning_rate > 0 && options.model.learning_rate < 1)) n->fail("must be between 0 and 1");
    }
  }
  spec.kind = options;
  return spec;
}

}  // namespace rungs::campaign
