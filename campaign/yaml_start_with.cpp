#include "campaign/yaml_start_with.hpp"

#include <fmt/format.h>

#include "space/space_error.hpp"

namespace rungs::campaign {

namespace {

space::Config read_item(const YamlNode& item, const space::SearchSpace& space) {
  if (!item.is_map())
    item.fail("expected a configuration: parameter: value pairs, e.g. {lr: 0.001, optimizer: adam}");
  space::Config config;
  std::optional<YamlNode> value_of_error;
  for (const auto& [name, value] : item.entries()) {
    if (!value.is_scalar()) value.fail(fmt::format("expected one value of '{}'", name));
    const auto* parameter = space.find(name);
    if (!parameter) {
      config.emplace(name, value.as_string());  // validate() names it, with a "did you mean"
      continue;
    }
    const auto typed = space::coerce(parameter->domain, space::Value(value.as_string()));
    if (!typed)
      value.fail(fmt::format("'{}' = '{}' is not a value of the parameter's domain: {}", name, value.as_string(),
                             space::describe(parameter->domain)));
    config.emplace(name, *typed);
  }
  try {
    space.validate(config);
  } catch (const space::SpaceError& e) {
    // At the value when the item has one (out of range, inactive), else at the item (missing).
    for (const auto& [name, value] : item.entries())
      if (name == e.parameter()) value.fail(e.message());
    item.fail(e.message());
  }
  return config;
}

}  // namespace

std::vector<space::Config> read_start_with(const YamlNode& node, const space::SearchSpace& space) {
  if (!node.is_sequence())
    node.fail("expected a list of configurations, e.g.\n  - {lr: 0.001, optimizer: adam}");
  std::vector<space::Config> configs;
  for (const auto& item : node.items()) configs.push_back(read_item(item, space));
  return configs;
}

}  // namespace rungs::campaign
