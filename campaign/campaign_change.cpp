#include "campaign/campaign_change.hpp"

#include <fmt/format.h>

#include <set>

#include "campaign/campaign_growth.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

namespace {

// Top-level keys that may change when a campaign is resumed.
const std::set<std::string> kMutableKeys = {"trial", "output", "plugins"};

std::string describe(const YAML::Node& node) {
  if (!node || node.IsNull()) return "absent";
  if (node.IsScalar()) return fmt::format("'{}'", node.Scalar());
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

// The first difference between `was` and `now`, as (key path, node of `now` to point at);
// empty path when they are equal. Maps compare by key whatever the order; scalars by text.
struct Difference {
  std::string path;
  YAML::Node was;
  YAML::Node now;
};

std::optional<Difference> first_difference(const YAML::Node& was, const YAML::Node& now, const std::string& path) {
  const auto type = [](const YAML::Node& node) { return node ? node.Type() : YAML::NodeType::Undefined; };
  if (type(was) != type(now)) return Difference{path, was, now};
  if (!now || now.IsNull()) return std::nullopt;
  if (now.IsScalar()) {
    if (was.Scalar() != now.Scalar()) return Difference{path, was, now};
    return std::nullopt;
  }
  if (now.IsSequence()) {
    if (was.size() != now.size()) return Difference{path, was, now};
    for (std::size_t i = 0; i < now.size(); ++i)
      if (auto found = first_difference(was[i], now[i], fmt::format("{}[{}]", path, i))) return found;
    return std::nullopt;
  }
  for (const auto& entry : now) {  // in the new file's order, so the first one is reported
    const auto key = entry.first.Scalar();
    if (path.empty() && kMutableKeys.count(key)) continue;
    const auto child = path.empty() ? key : path + "." + key;
    if (growable_key(child)) continue;  // checked by check_growth (campaign_growth.hpp): it may only grow
    if (auto found = first_difference(was[key], entry.second, child)) return found;
  }
  for (const auto& entry : was) {
    const auto key = entry.first.Scalar();
    if (path.empty() && kMutableKeys.count(key)) continue;
    if (growable_key(path.empty() ? key : path + "." + key)) continue;
    if (!now[key]) return Difference{path.empty() ? key : path + "." + key, entry.second, YAML::Node()};
  }
  return std::nullopt;
}

}  // namespace

void check_compatible_change(const std::string& recorded_yaml, const std::filesystem::path& new_file,
                             const std::filesystem::path& campaign_dir) {
  const auto now = YamlNode::load_file(new_file.string());
  const auto was = YamlNode::load_string(recorded_yaml, (campaign_dir / "campaign.yaml").string());
  const auto difference = first_difference(was.raw(), now.raw(), "");
  if (!difference) return;
  const auto& at = difference->now ? difference->now : now.raw();
  const Location where{new_file.string(), at.Mark().line + 1, at.Mark().column + 1};
  throw ConfigError(where, difference->path,
                    fmt::format("differs from the campaign in '{}' (was {}, now {}): a resumed campaign replays its "
                                "decisions, so only trial, output and plugins may change, and its limits grow (README: Growing a campaign); start a new campaign "
                                "with another --output",
                                campaign_dir.string(), describe(difference->was), describe(difference->now)));
}

}  // namespace rungs::campaign
