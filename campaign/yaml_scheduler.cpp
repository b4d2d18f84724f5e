#include "campaign/yaml_scheduler.hpp"

#include <fmt/format.h>

namespace rungs::campaign {

namespace {

std::size_t read_positive(const YamlNode& node) {
  const auto value = node.as_int();
  if (value < 1) node.fail(fmt::format("must be at least 1, got {}", value));
  return static_cast<std::size_t>(value);
}

StoppingRuleSpec read_stopping_rule(const YamlNode& node) {
  StoppingRuleSpec rule;
  rule.type = node.is_scalar() ? node.as_string() : node.at("type").as_string();
  const auto type_node = node.is_scalar() ? node : node.at("type");
  if (rule.type == "median") {
    if (!node.is_scalar()) node.expect_keys({"type", "grace_period", "min_samples"});
    if (auto n = node.find("grace_period")) {
      rule.grace_period = n->as_double();
      if (!(rule.grace_period >= 0)) n->fail("must be 0 or more");
    }
    if (auto n = node.find("min_samples")) rule.min_samples = read_positive(*n);
  } else if (rule.type == "extrapolation") {
    if (!node.is_scalar()) node.expect_keys({"type", "min_points", "threshold"});
    if (auto n = node.find("min_points")) {
      rule.min_points = read_positive(*n);
      if (rule.min_points < 3) n->fail("must be at least 3 (curves need that many points to fit)");
    }
    if (auto n = node.find("threshold")) {
      rule.threshold = n->as_double();
      if (!(rule.threshold > 0 && rule.threshold < 1)) n->fail("must be between 0 and 1");
    }
  } else {
    type_node.fail(fmt::format("unknown stopping rule '{}' (known: median, extrapolation)", rule.type));
  }
  return rule;
}

}  // namespace

SchedulerSpec read_scheduler(const YamlNode& node) {
  node.expect_keys({"type", "eta", "iterations", "bracket", "mode", "max_trials", "max_budget",
                    "max_concurrent", "stopping_rule"});
  SchedulerSpec spec;
  spec.type = node.get_string("type", spec.type);
  if (spec.type != "hyperband" && spec.type != "successive_halving" && !spec.asynchronous())
    node.at("type").fail(fmt::format(
        "unknown scheduler '{}' (known: hyperband, successive_halving, asha, async_hyperband)", spec.type));
  spec.eta = node.get_double("eta", spec.eta);
  if (!(spec.eta > 1)) node.at("eta").fail(fmt::format("must be greater than 1, got {}", spec.eta));

  if (auto iterations = node.find("iterations")) {
    if (spec.asynchronous()) iterations->fail("asynchronous schedulers stop at max_trials or max_budget instead");
    spec.iterations = read_positive(*iterations);
  }
  if (auto bracket = node.find("bracket")) {
    if (spec.type != "successive_halving" && spec.type != "asha")
      bracket->fail("only successive_halving and asha take a bracket");
    const auto s = bracket->as_int();
    if (s < 0) bracket->fail("must be 0 or more");
    spec.bracket = static_cast<std::size_t>(s);
  }
  if (auto mode = node.find("mode")) {
    if (!spec.asynchronous()) mode->fail("only asha and async_hyperband take a mode");
    spec.mode = mode->as_string();
    if (spec.mode != "promotion" && spec.mode != "stopping")
      mode->fail(fmt::format("must be promotion (pause and resume) or stopping (run on, stop below the cutoff), got '{}'", spec.mode));
  }
  for (const char* key : {"max_trials", "max_budget"})
    if (auto limit = node.find(key); limit && !spec.asynchronous())
      limit->fail("synchronous schedulers run a fixed schedule: use iterations");
  if (auto n = node.find("max_trials")) spec.max_trials = read_positive(*n);
  if (auto n = node.find("max_budget")) {
    spec.max_budget = n->as_double();
    if (!(*spec.max_budget > 0)) n->fail("must be positive");
  }
  if (spec.asynchronous() && !spec.max_trials && !spec.max_budget)
    node.fail(fmt::format("{} needs a limit: max_trials and/or max_budget", spec.type));
  if (auto n = node.find("max_concurrent")) spec.max_concurrent = read_positive(*n);
  if (auto n = node.find("stopping_rule")) spec.stopping_rule = read_stopping_rule(*n);
  return spec;
}

}  // namespace rungs::campaign
