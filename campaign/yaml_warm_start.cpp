#include "campaign/yaml_warm_start.hpp"

#include <fmt/format.h>

namespace rungs::campaign {

namespace {

void read_sources(const YamlNode& node, const std::filesystem::path& directory, WarmStartSpec& spec) {
  const auto items = node.is_scalar() ? std::vector<YamlNode>{node} : node.items();
  if (!node.is_scalar() && !node.is_sequence())
    node.fail("expected campaign directories, e.g. [runs/old-1, runs/old-2]");
  if (items.empty()) node.fail("lists no campaign directory");
  for (const auto& item : items) {
    const auto written = item.as_string();
    if (written.empty()) item.fail("an empty path");
    spec.from.push_back({(directory / written).lexically_normal(), written, item.location(), item.path()});
  }
}

}  // namespace

WarmStartSpec read_warm_start_spec(const YamlNode& node, const std::filesystem::path& directory) {
  WarmStartSpec spec;
  if (!node.is_map()) {
    read_sources(node, directory, spec);
    return spec;
  }
  node.expect_keys({"from", "mode", "narrow", "top", "margin"});
  read_sources(node.at("from"), directory, spec);
  if (const auto mode = node.find("mode")) {
    const auto text = mode->as_string();
    if (text == "auto") spec.mode = WarmStartMode::Auto;
    else if (text == "observations") spec.mode = WarmStartMode::Observations;
    else if (text == "best") spec.mode = WarmStartMode::Best;
    else mode->fail(fmt::format("must be auto, observations or best, got '{}'", text));
  }
  spec.narrow = node.get_bool("narrow", false);
  if (const auto top = node.find("top")) {
    if (top->as_int() < 1 || top->as_int() > 1000) top->fail(fmt::format("must be between 1 and 1000, got {}", top->as_int()));
    spec.top = static_cast<std::size_t>(top->as_int());
  }
  if (const auto margin = node.find("margin")) {
    spec.margin = margin->as_double();
    if (!(spec.margin >= 0 && spec.margin <= 1)) margin->fail(fmt::format("must be in [0, 1], got {}", spec.margin));
  }
  return spec;
}

}  // namespace rungs::campaign
