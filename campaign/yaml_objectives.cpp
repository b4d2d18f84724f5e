#include "campaign/yaml_objectives.hpp"

#include <fmt/format.h>

#include <cmath>
#include <set>

namespace rungs::campaign {

namespace {

MetricSpec read_one_metric(const YamlNode& node) {
  MetricSpec metric;
  if (node.is_scalar()) {  // `metric: val_loss` means minimize val_loss
    metric.name = node.as_string();
    return metric;
  }
  node.expect_keys({"name", "mode"});
  metric.name = node.at("name").as_string();
  if (auto mode = node.find("mode")) {
    const auto text = mode->as_string();
    if (text != "min" && text != "max") mode->fail(fmt::format("must be min or max, got '{}'", text));
    metric.maximize = text == "max";
  }
  return metric;
}

std::vector<double> read_weights(const YamlNode& node, std::size_t objectives) {
  node.expect_keys({"weights"});
  const auto list = node.at("weights");
  if (!list.is_sequence()) list.fail("must be a list of numbers, one per objective");
  std::vector<double> weights;
  for (const auto& item : list.items()) {
    const double w = item.as_double();
    if (!(w >= 0) || !std::isfinite(w)) item.fail(fmt::format("a weight must be a number >= 0, got {}", w));
    weights.push_back(w);
  }
  if (weights.size() != objectives)
    list.fail(fmt::format("gives {} weights for {} objectives", weights.size(), objectives));
  if (std::all_of(weights.begin(), weights.end(), [](double w) { return w == 0; })) list.fail("all weights are 0");
  return weights;
}

}  // namespace

void read_objectives(CampaignSpec& spec, const YamlNode& root) {
  if (auto metric = root.find("metric")) {
    if (metric->is_sequence()) {
      std::set<std::string> names;
      for (const auto& item : metric->items()) {
        spec.objectives.metrics.push_back(read_one_metric(item));
        if (!names.insert(spec.objectives.metrics.back().name).second)
          item.fail(fmt::format("objective '{}' is listed twice", spec.objectives.metrics.back().name));
      }
      if (spec.objectives.metrics.empty()) metric->fail("lists no objective");
      spec.metric = spec.objectives.metrics.front();
      if (spec.objectives.metrics.size() == 1) spec.objectives.metrics.clear();  // one objective after all
    } else {
      spec.metric = read_one_metric(*metric);
    }
  }
  if (auto scalarize = root.find("scalarize")) {
    if (!spec.objectives.several()) scalarize->fail("scalarize needs several objectives (metric: a list of 2 or more)");
    spec.objectives.weights = read_weights(*scalarize, spec.objectives.metrics.size());
    // The value ranked is the weighted sum of the minimized objectives.
    std::string names;
    for (const auto& m : spec.objectives.metrics) names += (names.empty() ? "" : ", ") + m.name;
    spec.metric = MetricSpec{fmt::format("weighted sum of {}", names), false};
  }
  if (auto constraints = root.find("constraints")) {
    const auto items = constraints->is_scalar() ? std::vector<YamlNode>{*constraints} : constraints->items();
    for (const auto& item : items) {
      try {
        spec.objectives.constraints.push_back(parse_constraint(item.as_string()));
      } catch (const std::invalid_argument& e) {
        item.fail(e.what());
      }
    }
  }
}

}  // namespace rungs::campaign
