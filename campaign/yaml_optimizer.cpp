#include "campaign/yaml_optimizer.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace rungs::campaign {

namespace {

std::size_t read_count(const YamlNode& node) {
  const auto value = node.as_int();
  if (value < 0) node.fail(fmt::format("must not be negative, got {}", value));
  return static_cast<std::size_t>(value);
}

// The settings' own validate() names the bad field in its message: point at that key.
template <typename Settings>
void check(const YamlNode& node, const Settings& settings) {
  try {
    optimizers::validate(settings);
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    for (const auto& [key, child] : node.entries())
      if (key != "type" && message.find(key) != std::string::npos) child.fail(message);
    node.fail(message);
  }
}

optimizers::TpeSettings read_tpe(const YamlNode& node) {
  node.expect_keys({"type", "min_points_in_model", "top_n_percent", "num_samples", "random_fraction",
                    "bandwidth_factor", "min_bandwidth", "use_lower_budgets", "rank_agreement"});
  optimizers::TpeSettings s;
  if (auto n = node.find("min_points_in_model")) s.min_points_in_model = read_count(*n);
  s.top_n_percent = node.get_double("top_n_percent", s.top_n_percent);
  if (auto n = node.find("num_samples")) s.num_samples = read_count(*n);
  s.random_fraction = node.get_double("random_fraction", s.random_fraction);
  s.bandwidth_factor = node.get_double("bandwidth_factor", s.bandwidth_factor);
  s.min_bandwidth = node.get_double("min_bandwidth", s.min_bandwidth);
  s.use_lower_budgets = node.get_bool("use_lower_budgets", s.use_lower_budgets);
  s.rank_agreement = node.get_bool("rank_agreement", s.rank_agreement);
  check(node, s);
  return s;
}

optimizers::GpSettings read_gp(const YamlNode& node) {
  node.expect_keys({"type", "acquisition", "xi", "kappa", "random_fraction", "candidates",
                    "local_search_steps", "min_points", "max_points", "refit_every", "restarts", "fit_points"});
  optimizers::GpSettings s;
  if (auto acquisition = node.find("acquisition")) {
    const auto name = acquisition->as_string();
    if (name == "ei") s.acquisition = optimizers::GpAcquisition::expected_improvement;
    else if (name == "ucb" || name == "lcb") s.acquisition = optimizers::GpAcquisition::lower_confidence_bound;
    else acquisition->fail(fmt::format("must be ei or ucb, got '{}'", name));
  }
  s.xi = node.get_double("xi", s.xi);
  s.kappa = node.get_double("kappa", s.kappa);
  s.random_fraction = node.get_double("random_fraction", s.random_fraction);
  for (auto [key, field] : {std::pair{"candidates", &s.candidates}, {"local_search_steps", &s.local_search_steps},
                            {"min_points", &s.min_points}, {"max_points", &s.max_points},
                            {"refit_every", &s.refit_every}, {"restarts", &s.restarts},
                            {"fit_points", &s.fit_points}})
    if (auto n = node.find(key)) *field = read_count(*n);
  check(node, s);
  return s;
}

}  // namespace

study::OptimizerSettings read_optimizer(const YamlNode& node) {
  const auto type = node.is_scalar() ? node.as_string() : node.get_string("type", "random");
  const auto type_node = node.is_scalar() ? node : node.at("type");
  if (type == "random") {
    if (!node.is_scalar()) node.expect_keys({"type"});
    return study::RandomSearchSettings{};
  }
  if (type == "tpe") return node.is_scalar() ? optimizers::TpeSettings{} : read_tpe(node);
  if (type == "gp") return node.is_scalar() ? optimizers::GpSettings{} : read_gp(node);
  type_node.fail(fmt::format("unknown optimizer '{}' (known: random, tpe, gp)", type));
}

}  // namespace rungs::campaign
