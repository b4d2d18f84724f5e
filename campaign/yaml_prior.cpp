#include "campaign/yaml_prior.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

namespace rungs::campaign {

namespace {

constexpr const char* kNumericHint =
    "must be low, medium, high or a number in [0.001, 1] (the prior's standard deviation as a fraction of the range: "
    "smaller is firmer)";

space::Confidence read_confidence_name(const YamlNode& node, const char* hint) {
  const auto name = node.as_string();
  if (const auto confidence = space::confidence_named(name)) return *confidence;
  node.fail(fmt::format("{}, got '{}'", hint, name));
}

// The standard deviation `confidence:` asks for (default medium).
double read_sigma(const YamlNode& prior) {
  const auto node = prior.find("confidence");
  if (!node) return space::sigma_of(space::Confidence::medium);
  if (!node->is_scalar()) node->fail(kNumericHint);
  const auto text = node->as_string();
  double number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error == std::errc() && end == text.data() + text.size()) return number;  // range: SearchSpace
  return space::sigma_of(read_confidence_name(*node, kNumericHint));
}

space::Prior read_choice_prior(const YamlNode& node, const space::CategoricalDomain& domain) {
  node.expect_keys({"weights", "center", "confidence"});
  if (const auto weights = node.find("weights")) {
    if (node.has("center")) node.at("center").fail("give either weights or center (with confidence), not both");
    if (node.has("confidence")) node.at("confidence").fail("weights say it all: confidence goes with center");
    if (!weights->is_map()) weights->fail("expected choice: weight pairs, e.g. {adam: 3, sgd: 1}");
    space::ChoicePrior prior;
    for (const auto& [choice, weight] : weights->entries()) prior.weights[choice] = weight.as_double();
    if (prior.weights.empty()) weights->fail("is empty: give a weight to at least one choice, or remove the prior");
    return prior;
  }
  if (!node.has("center"))
    node.fail("expected weights, e.g. {weights: {adam: 3, sgd: 1}}, or a center, e.g. {center: adam, confidence: high}");
  const auto center = node.at("center");
  const auto choice = center.as_string();
  if (std::find(domain.choices.begin(), domain.choices.end(), choice) == domain.choices.end())
    center.fail(fmt::format("'{}' is not a choice (choices: {})", choice, fmt::join(domain.choices, ", ")));
  auto confidence = space::Confidence::medium;
  if (const auto given = node.find("confidence"))
    confidence = read_confidence_name(*given, "must be low, medium or high for a categorical (for other odds, give weights)");
  return space::centered_on(choice, confidence);
}

}  // namespace

space::Prior read_prior(const YamlNode& node, const space::Domain& domain) {
  if (!node.is_map())
    node.fail("expected e.g. {center: 0.001, confidence: high}, or for a categorical {weights: {adam: 3, sgd: 1}}");
  if (const auto* categorical = std::get_if<space::CategoricalDomain>(&domain))
    return read_choice_prior(node, *categorical);
  if (node.has("weights"))
    node.at("weights").fail("weights are for categorical parameters; a float or int prior takes center and confidence");
  node.expect_keys({"center", "confidence"});
  return space::NumericPrior{node.at("center").as_double(), read_sigma(node)};
}

}  // namespace rungs::campaign
