#include "campaign/yaml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <fstream>
#include <sstream>

#include "campaign/yaml_strict.hpp"
#include "campaign/did_you_mean.hpp"

namespace rungs::campaign {

namespace {

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

}  // namespace

YamlNode::YamlNode(YAML::Node node, std::string file, std::string path)
    : node_(std::move(node)), file_(std::move(file)), path_(std::move(path)) {}

YamlNode YamlNode::load_file(const std::string& file) {
  check_campaign_file(file);
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError({file, 0, 0}, "", "cannot open the file");
  std::stringstream text;
  text << in.rdbuf();
  return load_string(text.str(), file);
}

YamlNode YamlNode::load_string(const std::string& text, const std::string& file_name) {
  YAML::Node root = load_one_document(text, file_name);
  if (!root.IsMap()) throw ConfigError({file_name, 1, 1}, "", "expected a mapping at the top level");
  return YamlNode(root, file_name, "");
}

Location YamlNode::location() const {
  const YAML::Mark mark = node_.Mark();
  if (mark.is_null()) return {file_, 0, 0};
  return {file_, mark.line + 1, mark.column + 1};
}

ConfigError YamlNode::error(const std::string& message) const {
  return ConfigError(location(), path_, message);
}

void YamlNode::fail(const std::string& message) const { throw error(message); }

bool YamlNode::has(const std::string& key) const {
  return node_.IsMap() && node_[key].IsDefined() && !node_[key].IsNull();
}

YamlNode YamlNode::at(const std::string& key) const {
  expect_map();
  if (!has(key)) fail(fmt::format("missing required key '{}'", key));
  return YamlNode(node_[key], file_, join_path(path_, key));
}

std::optional<YamlNode> YamlNode::find(const std::string& key) const {
  if (!has(key)) return std::nullopt;
  return YamlNode(node_[key], file_, join_path(path_, key));
}

std::vector<YamlNode> YamlNode::items() const {
  expect_sequence();
  std::vector<YamlNode> out;
  for (std::size_t i = 0; i < node_.size(); ++i)
    out.emplace_back(node_[i], file_, fmt::format("{}[{}]", path_, i));
  return out;
}

std::vector<std::pair<std::string, YamlNode>> YamlNode::entries() const {
  expect_map();
  std::vector<std::pair<std::string, YamlNode>> out;
  for (const auto& entry : node_) {
    const auto key = entry.first.as<std::string>();
    // Point at the key for "unknown key" style messages, at the value otherwise.
    out.emplace_back(key, YamlNode(entry.second.IsNull() ? entry.first : entry.second, file_,
                                   join_path(path_, key)));
  }
  return out;
}

void YamlNode::expect_keys(std::initializer_list<std::string_view> allowed) const {
  expect_map();
  for (const auto& entry : node_) {
    const auto key = entry.first.as<std::string>();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    const auto hint = did_you_mean(key, {allowed.begin(), allowed.end()}, "known keys");
    throw YamlNode(entry.first, file_, join_path(path_, key))
        .error(fmt::format("unknown key '{}' ({})", key, hint));
  }
}

void YamlNode::expect_map() const {
  if (!node_.IsMap()) fail("expected a mapping (key: value pairs)");
}

void YamlNode::expect_sequence() const {
  if (!node_.IsSequence()) fail("expected a list");
}

std::string YamlNode::as_string() const {
  if (!node_.IsScalar()) fail("expected a single value");
  return node_.Scalar();
}

double YamlNode::as_double() const {
  const auto text = as_string();
  try {
    return node_.as<double>();
  } catch (const YAML::Exception&) {
    fail(fmt::format("expected a number, got '{}'", text));
  }
}

std::int64_t YamlNode::as_int() const {
  const auto text = as_string();
  try {
    return node_.as<std::int64_t>();
  } catch (const YAML::Exception&) {
    fail(fmt::format("expected an integer, got '{}'", text));
  }
}

bool YamlNode::as_bool() const {
  const auto text = as_string();
  try {
    return node_.as<bool>();
  } catch (const YAML::Exception&) {
    fail(fmt::format("expected true or false, got '{}'", text));
  }
}

std::vector<std::string> YamlNode::as_strings() const {
  if (node_.IsScalar()) return {node_.Scalar()};
  std::vector<std::string> out;
  for (const auto& item : items()) out.push_back(item.as_string());
  return out;
}

std::string YamlNode::get_string(const std::string& key, const std::string& fallback) const {
  const auto child = find(key);
  return child ? child->as_string() : fallback;
}

double YamlNode::get_double(const std::string& key, double fallback) const {
  const auto child = find(key);
  return child ? child->as_double() : fallback;
}

std::int64_t YamlNode::get_int(const std::string& key, std::int64_t fallback) const {
  const auto child = find(key);
  return child ? child->as_int() : fallback;
}

bool YamlNode::get_bool(const std::string& key, bool fallback) const {
  const auto child = find(key);
  return child ? child->as_bool() : fallback;
}

// "90", "90s", "1.5m", "2h", "500ms" -> milliseconds.
std::chrono::milliseconds read_duration(const YamlNode& node) {
  static const std::regex pattern(R"(^\s*([0-9]*\.?[0-9]+)\s*(ms|s|m|h)?\s*$)");
  const std::string text = node.as_string();
  std::smatch match;
  if (!std::regex_match(text, match, pattern))
    node.fail(fmt::format("expected a duration such as 30, 30s, 5m or 2h, got '{}'", text));
  const double amount = std::strtod(match[1].str().c_str(), nullptr);  // inf when out of range, never throws
  const std::string unit = match[2].matched ? match[2].str() : "s";
  const double ms = amount * (unit == "ms" ? 1 : unit == "s" ? 1e3 : unit == "m" ? 6e4 : 3.6e6);
  // A limit past any real training: far below where the milliseconds would overflow (an
  // overflowed limit had silently meant no limit at all).
  constexpr double kLongest = 3650.0 * 24 * 3.6e6;  // ten years
  if (!(ms <= kLongest)) node.fail(fmt::format("'{}' is longer than ten years; for no limit, leave the key out or use 0", text));
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(ms)));
}

}  // namespace rungs::campaign
