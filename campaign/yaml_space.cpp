#include "campaign/yaml_space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

#include "campaign/yaml_prior.hpp"
#include "space/space_error.hpp"

namespace rungs::campaign {

namespace {

constexpr std::array<std::string_view, 3> kTypes = {"float", "int", "categorical"};

// Type names other tools use, and what to write in rungs instead.
const std::map<std::string, std::string, std::less<>>& type_hints() {
  static const std::map<std::string, std::string, std::less<>> hints = {
      {"real", "float"},       {"double", "float"},          {"uniform", "float"},
      {"loguniform", "float with log: true"},                {"log_uniform", "float with log: true"},
      {"integer", "int"},      {"randint", "int"},           {"qrandint", "int"},
      {"choice", "categorical"}, {"cat", "categorical"},     {"categorial", "categorical"},
      {"bool", "categorical with choices: [true, false]"},   {"boolean", "categorical with choices: [true, false]"},
  };
  return hints;
}

// A map's key as a node, for messages about the key itself (unknown, repeated).
YamlNode key_node(const YamlNode& map, const YAML::Node& key) {
  const auto name = key.as<std::string>();
  return YamlNode(key, map.file(), map.path().empty() ? name : map.path() + "." + name);
}

// yaml-cpp keeps repeated keys; a campaign file with `lr:` twice is a mistake, not an override.
void expect_unique_keys(const YamlNode& map) {
  std::map<std::string, int> first_line;
  for (const auto& entry : map.raw()) {
    const auto name = entry.first.as<std::string>();
    const int line = entry.first.Mark().line + 1;
    const auto [it, inserted] = first_line.emplace(name, line);
    if (!inserted)
      key_node(map, entry.first).fail(fmt::format("'{}' is given twice (first on line {})", name, it->second));
  }
}

// The child at `key` for messages: the value, or the key when the value is empty (yaml-cpp
// places an empty value's mark on the next token, possibly lines later).
std::optional<YamlNode> child(const YamlNode& map, const std::string& key) {
  if (!map.is_map()) return std::nullopt;
  for (auto& [name, node] : map.entries())
    if (name == key) return node;
  return std::nullopt;
}

// Keys that belong to the other kind of parameter, or that people expect from other tools,
// get a message saying what to do; truly unknown keys get expect_keys' "did you mean".
void check_keys(const YamlNode& node, const std::string& type) {
  const bool numeric = type != "categorical";
  for (const auto& entry : node.raw()) {
    const auto key = entry.first.as<std::string>();
    std::string problem;
    if (key == "default")
      problem = "'default' is not supported: every parameter is sampled from its range (to pin a "
                "value, use a categorical with one choice)";
    else if (numeric && key == "choices")
      problem = fmt::format("'choices' is for categorical parameters; a {} parameter takes low, high "
                            "and log", type);
    else if (!numeric && (key == "low" || key == "high" || key == "log"))
      problem = fmt::format("'{}' is for float and int parameters; a categorical parameter takes choices",
                            key);
    if (!problem.empty()) key_node(node, entry.first).fail(problem);
  }
  if (numeric)
    node.expect_keys({"type", "low", "high", "log", "when", "prior"});
  else
    node.expect_keys({"type", "choices", "when", "prior"});
}

std::string read_type(const YamlNode& node) {
  if (!node.has("type"))
    node.fail("missing 'type': one of float, int, categorical, e.g. {type: float, low: 0.0, high: 1.0}");
  const auto type_node = node.at("type");
  const auto type = type_node.as_string();
  if (std::find(kTypes.begin(), kTypes.end(), type) != kTypes.end()) return type;
  const auto hint = type_hints().find(type);
  if (hint != type_hints().end())
    type_node.fail(fmt::format("unknown type '{}': write type: {}", type, hint->second));
  type_node.fail(fmt::format("unknown type '{}' (types: float, int, categorical)", type));
}

space::Condition read_condition(const YamlNode& when) {
  if (!when.is_map())
    when.fail("expected parent: value pairs, e.g. when: {optimizer: sgd} or when: {layers: [2, 3]}");
  expect_unique_keys(when);
  const auto entries = when.entries();
  if (entries.empty()) when.fail("is empty: name a parent and its values, e.g. {optimizer: sgd}, or remove it");
  space::Condition condition;
  for (const auto& [parent, value] : entries) {
    if (when.raw()[parent].IsNull())
      value.fail(fmt::format("gives no value of '{}': write {}: value or {}: [value1, value2]", parent,
                             parent, parent));
    space::Clause clause{parent, {}};
    if (value.is_map()) value.fail(fmt::format("expected a value of '{}' or a list of values", parent));
    for (const auto& text : value.as_strings()) clause.values.emplace_back(text);
    condition.push_back(std::move(clause));
  }
  return condition;
}

space::Parameter read_parameter(const std::string& name, const YamlNode& node, bool empty_value) {
  if (empty_value || !node.is_map())
    node.fail(fmt::format("expected a definition such as {}: {{type: float, low: 0.0, high: 1.0}}", name));
  expect_unique_keys(node);
  const auto type = read_type(node);
  check_keys(node, type);

  space::Parameter parameter{name, space::CategoricalDomain{}, {}};
  if (type == "categorical") {
    const auto choices = node.at("choices");
    if (!choices.is_sequence()) choices.fail("expected a list of choices, e.g. [sgd, adam]");
    space::CategoricalDomain domain;
    for (const auto& item : choices.items()) domain.choices.push_back(item.as_string());
    parameter.domain = std::move(domain);
  } else {
    const auto scale = node.get_bool("log", false) ? space::Scale::log : space::Scale::linear;
    if (type == "float")
      parameter.domain = space::FloatDomain{node.at("low").as_double(), node.at("high").as_double(), scale};
    else
      parameter.domain = space::IntDomain{node.at("low").as_int(), node.at("high").as_int(), scale};
  }
  if (const auto prior = child(node, "prior")) {
    if (node.raw()["prior"].IsNull()) prior->fail("is empty: e.g. {center: 0.001, confidence: high}, or remove it");
    parameter.prior = read_prior(*prior, parameter.domain);
  }
  if (const auto when = child(node, "when")) {
    if (node.raw()["when"].IsNull()) when->fail("is empty: name a parent and its values, e.g. {optimizer: sgd}");
    parameter.condition = read_condition(*when);
  }
  return parameter;
}

// The node a SpaceError is about: the parameter's definition, then down its field path
// ("when.optimizer", "choices[2]") as far as the file has it.
YamlNode locate(const YamlNode& space_node, const space::SpaceError& error) {
  auto current = child(space_node, error.parameter());
  if (!current) return space_node;
  std::string_view rest = error.field();
  while (!rest.empty()) {
    const auto dot = rest.find('.');
    std::string_view segment = rest.substr(0, dot);
    rest = dot == std::string_view::npos ? std::string_view() : rest.substr(dot + 1);
    const auto bracket = segment.find('[');
    const auto next = child(*current, std::string(segment.substr(0, bracket)));
    if (!next) break;
    current = next;
    if (bracket != std::string_view::npos && current->is_sequence()) {
      const auto index = static_cast<std::size_t>(std::stoul(std::string(segment.substr(bracket + 1))));
      const auto items = current->items();
      if (index < items.size()) current = items[index];
    }
  }
  return *current;
}

}  // namespace

space::SearchSpace read_search_space(const YamlNode& space_node) {
  if (!space_node.is_map())
    space_node.fail("expected parameter definitions, e.g.\n  lr: {type: float, low: 1.0e-4, high: 0.1, log: true}");
  expect_unique_keys(space_node);
  std::vector<space::Parameter> parameters;
  for (const auto& [name, node] : space_node.entries())
    parameters.push_back(read_parameter(name, node, space_node.raw()[name].IsNull()));
  if (parameters.empty())
    space_node.fail("defines no parameters; add one, e.g. lr: {type: float, low: 1.0e-4, high: 0.1, log: true}");
  try {
    return space::SearchSpace(std::move(parameters));
  } catch (const space::SpaceError& e) {
    throw locate(space_node, e).error(e.message());
  }
}

}  // namespace rungs::campaign
