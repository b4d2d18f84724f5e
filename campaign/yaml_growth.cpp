#include "campaign/campaign_growth.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <set>

#include "campaign/config_error.hpp"
#include "campaign/yaml_reader.hpp"

namespace rungs::campaign {

bool growable_key(const std::string& path) {
  static const std::set<std::string> keys = {"limits", "scheduler.iterations", "scheduler.max_trials",
                                             "scheduler.max_budget"};
  return keys.count(path) || path.rfind("limits.", 0) == 0;
}

bool check_growth(const std::string& recorded_yaml, const std::filesystem::path& campaign_dir, const CampaignSpec& now,
                  const std::string& now_yaml, const std::string& now_file) {
  const auto was = bounds_of(parse_campaign(recorded_yaml, (campaign_dir / "campaign.yaml").string(), now.directory));
  const auto bounds = bounds_of(now);
  if (was == bounds) return false;
  const auto shrink = shrink_of(was, bounds);
  if (!shrink) return true;
  // Point at the key in the new file (or at the section, or the file, when it is gone).
  auto node = YamlNode::load_string(now_yaml, now_file);
  const auto dot = shrink->key.find('.');
  if (auto section = node.find(shrink->key.substr(0, dot))) {
    node = *section;
    if (auto key = node.find(shrink->key.substr(dot + 1))) node = *key;
  }
  throw ConfigError(node.location(), shrink->key, shrink->message);
}

std::string grown_yaml(const std::string& recorded_yaml, const std::string& file_name,
                       std::optional<std::size_t> iterations, const std::vector<std::string>& limits) {
  auto root = YAML::Clone(YamlNode::load_string(recorded_yaml, file_name).raw());
  const auto option = [](const std::string& text, const std::string& message) {
    return ConfigError({"rungs resume", 0, 0}, text, message);
  };
  if (iterations) root["scheduler"]["iterations"] = *iterations;
  for (const auto& item : limits) {
    const auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == item.size())
      throw option("--limit " + item, "expected KEY=VALUE, e.g. --limit cost=8000");
    const auto key = item.substr(0, equals);
    const auto value = item.substr(equals + 1);
    if (key == "cost" || key == "wall" || key == "trials") root["limits"][key] = value;
    else if (key == "max_trials" || key == "max_budget" || key == "iterations") root["scheduler"][key] = value;
    else throw option("--limit " + item, fmt::format("unknown limit '{}' (known: cost, wall, trials, iterations, max_trials, max_budget)", key));
  }
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

}  // namespace rungs::campaign
