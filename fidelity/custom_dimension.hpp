#pragma once
// Custom budget dimensions from C++: the interface a plugin (or a program embedding rungs)
// implements for a dimension kind that YAML alone cannot describe, e.g. an image resolution
// that must divide the native size (examples/04_custom_dimension/downsample_plugin.cpp).
//
// Header-only on purpose: a plugin compiled against this header needs no symbol from rungs
// (every function here is inline), so it loads into the `rungs` executable, a test or any
// program that links rungs_fidelity, without exported symbols. It must be built with the same
// compiler and standard library as rungs (std::string and std::function cross the boundary).
//
//   class Downsample : public rungs::fidelity::CustomDimension { ... };
//   RUNGS_DIMENSION_PLUGIN(registry) {                      // dimension_registry.hpp
//     registry.add({.name = "downsample", .summary = "...", .options = {"native", "min"},
//                   .make = [](const rungs::fidelity::DimensionOptions& o) {
//                     return std::make_shared<Downsample>(o.number("native"), ...); }});
//   }
#include <charconv>
#include <cmath>
#include <cstddef>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "fidelity/dimension.hpp"

namespace rungs::fidelity {

// One custom dimension as configured in a campaign. Called from one thread; the ladder asks
// for every level's value once, at construction, and keeps the answers.
class CustomDimension {
 public:
  virtual ~CustomDimension() = default;

  // The value at budget level `level` of 0..s_max. Must be finite, positive for the default
  // product cost, and non-decreasing in the level (the ladder checks).
  virtual double value(std::size_t level, std::size_t s_max) const = 0;

  virtual Growth growth() const { return Growth::Fixed; }
  virtual bool integer() const { return false; }
  // Growth::Fixed only: a promotion that changes the value warm-starts from the checkpoint
  // (true) or reruns from scratch (false). Dimension::warm_start.
  virtual bool warm_start() const { return false; }

  // The factor this dimension contributes to the product cost model: the cost of a run at
  // `value` relative to one at `top` (the value at the top level), 1 at the top.
  virtual double relative_cost(double value, double top) const { return value / top; }

  // The text of the {name} placeholder and of the dimension's environment variable.
  virtual std::string format(double value) const {
    if (integer()) return std::to_string(std::llround(value));
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
  }

  // Extra environment variables for the trial (beyond the dimension's own), e.g.
  // {"RUNGS_DOWNSAMPLE_FACTOR": "4"}. Names must not start with RUNGS_ unless the plugin
  // owns them; the campaign refuses collisions with rungs' own variables.
  virtual std::map<std::string, std::string> environment(double /*value*/) const { return {}; }
};

// A bad option of a custom dimension: names the YAML key, so the campaign can point at it.
class OptionError : public std::invalid_argument {
 public:
  OptionError(std::string key, const std::string& message)
      : std::invalid_argument(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The YAML keys of a custom dimension (all but `kind`, `env` and `on_change`), as text; the
// typed readers throw OptionError naming the key. The campaign refuses keys nobody read, so a
// misspelt option is an error and not a silent default.
class DimensionOptions {
 public:
  void set(const std::string& key, std::string scalar) { scalars_[key] = std::move(scalar); }
  void set_list(const std::string& key, std::vector<std::string> items) { lists_[key] = std::move(items); }

  bool has(const std::string& key) const { return scalars_.count(key) > 0 || lists_.count(key) > 0; }

  double number(const std::string& key) const { return parse_number(key, scalar(key)); }
  double number(const std::string& key, double fallback) const { return has(key) ? number(key) : fallback; }
  std::string text(const std::string& key) const { return scalar(key); }
  std::string text(const std::string& key, const std::string& fallback) const { return has(key) ? text(key) : fallback; }
  bool flag(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const std::string value = scalar(key);
    if (value == "true" || value == "yes" || value == "on") return true;
    if (value == "false" || value == "no" || value == "off") return false;
    throw OptionError(key, "expected true or false, got '" + value + "'");
  }
  std::vector<double> numbers(const std::string& key) const {
    used_.insert(key);
    const auto found = lists_.find(key);
    if (found == lists_.end()) {
      if (scalars_.count(key)) throw OptionError(key, "expected a list of numbers, e.g. [7, 14, 28]");
      throw OptionError(key, "missing option '" + key + "'");
    }
    std::vector<double> out;
    for (const auto& item : found->second) out.push_back(parse_number(key, item));
    return out;
  }

  // Keys given but never read by the dimension's factory, in order.
  std::vector<std::string> unused() const {
    std::vector<std::string> out;
    for (const auto& [key, value] : scalars_)
      if (!used_.count(key)) out.push_back(key);
    for (const auto& [key, value] : lists_)
      if (!used_.count(key)) out.push_back(key);
    return out;
  }

 private:
  std::string scalar(const std::string& key) const {
    used_.insert(key);
    const auto found = scalars_.find(key);
    if (found != scalars_.end()) return found->second;
    if (lists_.count(key)) throw OptionError(key, "expected a single value, not a list");
    throw OptionError(key, "missing option '" + key + "'");
  }
  static double parse_number(const std::string& key, const std::string& text) {
    double value = 0;
    const auto* end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, value);
    if (result.ec != std::errc() || result.ptr != end || !std::isfinite(value))
      throw OptionError(key, "expected a number, got '" + text + "'");
    return value;
  }

  std::map<std::string, std::string> scalars_;
  std::map<std::string, std::vector<std::string>> lists_;
  mutable std::set<std::string> used_;
};

}  // namespace rungs::fidelity
