#include "campaign/yaml_scheduler.hpp"

#include <fmt/format.h>

#include "campaign/yaml_freeze_thaw.hpp"
#include "campaign/yaml_pbt.hpp"

namespace rungs::campaign {

namespace {

std::size_t read_positive(const YamlNode& node) {
  const auto value = node.as_int();
  if (value < 1) node.fail(fmt::format("must be at least 1, got {}", value));
  return static_cast<std::size_t>(value);
}

study::StoppingRuleSettings read_stopping_rule(const YamlNode& node) {
  const auto type = node.is_scalar() ? node.as_string() : node.at("type").as_string();
  const auto type_node = node.is_scalar() ? node : node.at("type");
  if (type == "median") {
    scheduler::MedianStoppingOptions rule;
    if (!node.is_scalar()) node.expect_keys({"type", "grace_period", "min_samples"});
    if (auto n = node.find("grace_period")) {
      rule.grace_period = n->as_double();
      if (!(rule.grace_period >= 0)) n->fail("must be 0 or more");
    }
    if (auto n = node.find("min_samples")) rule.min_samples = read_positive(*n);
    return rule;
  }
  if (type == "extrapolation") {
    scheduler::CurveExtrapolationOptions rule;  // final_step 0: the ladder's final milestone
    if (!node.is_scalar()) node.expect_keys({"type", "min_points", "threshold"});
    if (auto n = node.find("min_points")) {
      rule.min_points = read_positive(*n);
      if (rule.min_points < 3) n->fail("must be at least 3 (curves need that many points to fit)");
    }
    if (auto n = node.find("threshold")) {
      rule.threshold = n->as_double();
      if (!(rule.threshold > 0 && rule.threshold < 1)) n->fail("must be between 0 and 1");
    }
    return rule;
  }
  type_node.fail(fmt::format("unknown stopping rule '{}' (known: median, extrapolation)", type));
}

}  // namespace

SchedulerSpec read_scheduler(const YamlNode& node) {
  if (node.get_string("type", "") == "freeze_thaw") return read_freeze_thaw(node);
  if (node.get_string("type", "") == "pbt") return read_pbt(node);
  node.expect_keys({"type", "eta", "iterations", "bracket", "mode", "max_trials", "max_budget",
                    "max_concurrent", "stopping_rule"});
  SchedulerSpec spec;
  const auto type = node.get_string("type", "hyperband");
  const auto kind = study::scheduler_named(type);
  if (!kind)
    node.at("type").fail(fmt::format(
        "unknown scheduler '{}' (known: hyperband, successive_halving, asha, async_hyperband, freeze_thaw, pbt)", type));
  spec.kind = *kind;
  const bool asynchronous = study::asynchronous(spec.kind);
  auto* hyperband = std::get_if<scheduler::HyperbandOptions>(&spec.kind);
  auto* halving = std::get_if<scheduler::SuccessiveHalvingOptions>(&spec.kind);
  auto* asha = std::get_if<scheduler::AshaOptions>(&spec.kind);
  auto* async_hyperband = std::get_if<scheduler::AsyncHyperbandOptions>(&spec.kind);
  spec.eta = node.get_double("eta", spec.eta);
  if (!(spec.eta > 1)) node.at("eta").fail(fmt::format("must be greater than 1, got {}", spec.eta));

  if (auto iterations = node.find("iterations")) {
    if (asynchronous) iterations->fail("asynchronous schedulers stop at a limit instead: limits: {cost, wall, trials}");
    (hyperband ? hyperband->iterations : halving->iterations) = read_positive(*iterations);
  }
  if (auto bracket = node.find("bracket")) {
    if (!halving && !asha) bracket->fail("only successive_halving and asha take a bracket");
    const auto s = bracket->as_int();
    if (s < 0) bracket->fail("must be 0 or more");
    (halving ? halving->bracket : asha->bracket) = static_cast<std::size_t>(s);
  }
  if (auto mode = node.find("mode")) {
    if (!asynchronous) mode->fail("only asha and async_hyperband take a mode");
    const auto text = mode->as_string();
    if (text != "promotion" && text != "stopping")
      mode->fail(fmt::format("must be promotion (pause and resume) or stopping (run on, stop below the cutoff), got '{}'", text));
    (asha ? asha->mode : async_hyperband->mode) =
        text == "stopping" ? scheduler::AshaMode::Stopping : scheduler::AshaMode::Promotion;
  }
  for (const char* key : {"max_trials", "max_budget"})
    if (auto limit = node.find(key); limit && !asynchronous)
      limit->fail("synchronous schedulers run a fixed schedule: use iterations, or limits: {cost, wall, trials}");
  if (asynchronous) {
    auto& max_trials = asha ? asha->max_trials : async_hyperband->max_trials;
    auto& max_units = asha ? asha->max_units : async_hyperband->max_units;
    if (auto n = node.find("max_trials")) max_trials = read_positive(*n);
    if (auto n = node.find("max_budget")) {
      max_units = n->as_double();
      if (!(*max_units > 0)) n->fail("must be positive");
    }
  }
  if (auto n = node.find("max_concurrent")) spec.max_concurrent = read_positive(*n);
  if (auto n = node.find("stopping_rule")) spec.stopping_rule = read_stopping_rule(*n);
  return spec;
}

}  // namespace rungs::campaign
