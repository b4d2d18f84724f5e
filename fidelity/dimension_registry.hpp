#pragma once
// The dimension kinds a campaign may name with `kind:` in budget.dimensions, registered by
// name from C++: by a program that embeds rungs (register before loading a campaign) or by a
// plugin, a shared library listed under `plugins:` in the campaign YAML (plugin_loader.hpp).
//
// A plugin defines two extern "C" functions, most easily with the macro below:
//
//   RUNGS_DIMENSION_PLUGIN(registry) {
//     registry.add({.name = "downsample", .summary = "image side length that divides the native size",
//                   .options = {"native", "min"}, .make = make_downsample});
//   }
//
// which expands to `int rungs_dimension_plugin_api()` (the interface version it was built
// against, checked before anything else is called) and
// `void rungs_register_dimensions(rungs::fidelity::DimensionRegistry&)`. Everything a plugin
// calls here is inline (see custom_dimension.hpp for why).
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fidelity/custom_dimension.hpp"

namespace rungs::fidelity {

// Bumped whenever CustomDimension, DimensionOptions, DimensionKind or DimensionRegistry change
// layout or meaning: a plugin built against another version is refused with both numbers.
inline constexpr int kDimensionPluginApi = 1;

struct DimensionKind {
  std::string name;                  // what `kind:` says; letters, digits, '_', '-', '.'
  std::string summary;               // one line, shown when a campaign names an unknown kind
  std::vector<std::string> options;  // the YAML keys `make` reads, for messages
  // Builds the dimension from its YAML options. Throws OptionError (a bad or missing key) or
  // std::invalid_argument; the campaign turns either into a ConfigError at the right line.
  std::function<std::shared_ptr<const CustomDimension>(const DimensionOptions&)> make;
};

class DimensionRegistry {
 public:
  // Throws std::invalid_argument for an empty or malformed name, a missing `make`, or a name
  // already registered (two plugins claiming one kind is a configuration mistake).
  void add(DimensionKind kind) {
    if (kind.name.empty()) throw std::invalid_argument("a dimension kind needs a name");
    for (const char c : kind.name) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '-' || c == '.';
      if (!ok) throw std::invalid_argument("dimension kind '" + kind.name + "': use letters, digits, '_', '-', '.'");
    }
    if (!kind.make) throw std::invalid_argument("dimension kind '" + kind.name + "' has no make function");
    if (kinds_.count(kind.name)) throw std::invalid_argument("dimension kind '" + kind.name + "' is already registered");
    const std::string name = kind.name;
    kinds_.emplace(name, std::move(kind));
  }
  // nullptr when no such kind is registered.
  const DimensionKind* find(const std::string& name) const {
    const auto found = kinds_.find(name);
    return found == kinds_.end() ? nullptr : &found->second;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& [name, kind] : kinds_) out.push_back(name);
    return out;
  }

 private:
  std::map<std::string, DimensionKind> kinds_;
};

// The process-wide registry that campaign files are read against.
DimensionRegistry& dimension_registry();

}  // namespace rungs::fidelity

// Defines a plugin's two entry points; the body registers its kinds with `registry`. They are
// exported even when the plugin hides everything else (-fvisibility=hidden, recommended).
#define RUNGS_DIMENSION_PLUGIN(registry)                                             \
  extern "C" __attribute__((visibility("default"))) int rungs_dimension_plugin_api() { \
    return ::rungs::fidelity::kDimensionPluginApi;                                  \
  }                                                                                 \
  extern "C" __attribute__((visibility("default"))) void rungs_register_dimensions( \
      ::rungs::fidelity::DimensionRegistry& registry)
