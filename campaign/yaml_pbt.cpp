#include "campaign/yaml_pbt.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace rungs::campaign {

namespace {

std::size_t read_count(const YamlNode& node, std::int64_t low) {
  const auto value = node.as_int();
  if (value < low) node.fail(fmt::format("must be at least {}, got {}", low, value));
  return static_cast<std::size_t>(value);
}

double read_positive(const YamlNode& node) {
  const double value = node.as_double();
  if (!(value > 0) || !std::isfinite(value)) node.fail(fmt::format("must be positive, got {}", value));
  return value;
}

}  // namespace

SchedulerSpec read_pbt(const YamlNode& node) {
  node.expect_keys({"type", "eta", "population", "interval", "quantile", "perturb", "resample_probability",
                    "explore", "synchronous", "max_trials", "max_budget", "max_concurrent"});
  SchedulerSpec spec;
  scheduler::PbtOptions options;
  spec.eta = node.get_double("eta", spec.eta);
  if (!(spec.eta > 1)) node.at("eta").fail(fmt::format("must be greater than 1, got {}", spec.eta));
  if (auto n = node.find("population")) options.population = read_count(*n, 2);
  if (auto n = node.find("interval")) options.interval = read_positive(*n);
  if (auto n = node.find("quantile")) {
    options.quantile = n->as_double();
    if (!(options.quantile > 0 && options.quantile <= 0.5))
      n->fail(fmt::format("must be in (0, 0.5] (the bottom and top quantiles may not overlap), got {}", options.quantile));
  }
  if (auto n = node.find("perturb")) {
    const auto items = n->is_sequence() ? n->items() : std::vector<YamlNode>{};
    if (items.size() != 2) n->fail("must be two factors, e.g. [0.8, 1.2]");
    options.perturb_low = read_positive(items[0]);
    options.perturb_high = read_positive(items[1]);
  }
  if (auto n = node.find("resample_probability")) {
    options.resample_probability = n->as_double();
    if (!(options.resample_probability >= 0 && options.resample_probability <= 1))
      n->fail(fmt::format("must be in [0, 1], got {}", options.resample_probability));
  }
  if (auto n = node.find("explore")) {
    const std::string rule = n->as_string();
    if (rule == "pb2") {
      options.explore = scheduler::PbtExplore::pb2;
    } else if (rule != "perturb") {
      n->fail(fmt::format("must be perturb (PBT: values x a perturb factor) or pb2 (a GP bandit chooses them), got '{}'",
                          rule));
    }
  }
  if (auto n = node.find("synchronous")) options.synchronous = n->as_bool();
  if (auto n = node.find("max_trials")) options.max_trials = read_count(*n, 1);
  if (auto n = node.find("max_budget")) options.max_cost = read_positive(*n);
  if (auto n = node.find("max_concurrent")) spec.max_concurrent = read_count(*n, 1);
  spec.kind = options;
  return spec;
}

void check_pbt_budget(const scheduler::PbtOptions& options, const fidelity::BudgetLadder& ladder, const YamlNode& root) {
  if (!ladder.step())
    root.at("budget").fail("pbt needs linear budget levels: add step (e.g. step: 1), one run per interval");
  const double step = *ladder.step();
  if (options.interval == 0) return;
  const double k = options.interval / step;
  if (k < 1 - 1e-9 || std::abs(k - std::round(k)) > 1e-6)
    root.at("scheduler").at("interval").fail(
        fmt::format("must be a whole multiple of budget.step ({}), got {}", step, options.interval));
}

}  // namespace rungs::campaign
