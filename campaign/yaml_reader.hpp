#pragma once
// Typed, position-aware reading of a YAML document: every failure becomes a ConfigError
// naming the file, the node's line and column, and its key path ("scheduler.eta").
#include <chrono>
#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "campaign/config_error.hpp"

namespace rungs::campaign {

// A YAML node together with where it came from and how to name it in messages.
class YamlNode {
 public:
  YamlNode(YAML::Node node, std::string file, std::string path);

  // Loads a file; a YAML syntax error becomes a ConfigError with the parser's position, and
  // so does everything it refuses (campaign/yaml_strict.hpp: repeated keys, a second document...).
  static YamlNode load_file(const std::string& file);
  static YamlNode load_string(const std::string& text, const std::string& file_name);

  const YAML::Node& raw() const { return node_; }
  const std::string& path() const { return path_; }
  const std::string& file() const { return file_; }
  Location location() const;

  bool is_map() const { return node_.IsMap(); }
  bool is_sequence() const { return node_.IsSequence(); }
  bool is_scalar() const { return node_.IsScalar(); }
  bool has(const std::string& key) const;

  // Child access; `at` fails with "missing key" when absent, `find` returns nullopt.
  YamlNode at(const std::string& key) const;
  std::optional<YamlNode> find(const std::string& key) const;
  std::vector<YamlNode> items() const;                          // sequence elements
  std::vector<std::pair<std::string, YamlNode>> entries() const;  // map entries, in file order

  // Fails naming the first key not in `allowed`, suggesting the closest allowed key.
  void expect_keys(std::initializer_list<std::string_view> allowed) const;
  void expect_map() const;
  void expect_sequence() const;

  std::string as_string() const;
  double as_double() const;
  std::int64_t as_int() const;
  bool as_bool() const;
  std::vector<std::string> as_strings() const;  // a scalar or a sequence of scalars

  // Optional typed children with defaults.
  std::string get_string(const std::string& key, const std::string& fallback) const;
  double get_double(const std::string& key, double fallback) const;
  std::int64_t get_int(const std::string& key, std::int64_t fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;

  // A ConfigError located at this node.
  [[noreturn]] void fail(const std::string& message) const;
  ConfigError error(const std::string& message) const;

 private:
  YAML::Node node_;
  std::string file_;
  std::string path_;
};

// A duration: "90" (seconds), "90s", "1.5m", "2h", "500ms"; at most ten years.
std::chrono::milliseconds read_duration(const YamlNode& node);

}  // namespace rungs::campaign
