#include "fidelity/plugin_loader.hpp"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>

#include "fidelity/dimension_registry.hpp"

namespace rungs::fidelity {

namespace {

using ApiFunction = int (*)();
using RegisterFunction = void (*)(DimensionRegistry&);

std::vector<std::filesystem::path> search_folders(const std::filesystem::path& base) {
  std::vector<std::filesystem::path> folders;
  if (const char* path = std::getenv("RUNGS_PLUGIN_PATH")) {
    std::stringstream list(path);
    std::string folder;
    while (std::getline(list, folder, ':'))
      if (!folder.empty()) folders.emplace_back(folder);
  }
  std::error_code ec;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) folders.push_back(self.parent_path());
  folders.push_back(base);
  return folders;
}

}  // namespace

std::filesystem::path find_dimension_plugin(const std::string& name, const std::filesystem::path& base) {
  if (name.empty()) throw std::invalid_argument("a plugin needs a file name");
  const std::filesystem::path path(name);
  std::error_code ec;
  if (name.find('/') != std::string::npos) {
    const auto resolved = (path.is_absolute() ? path : base / path).lexically_normal();
    if (!std::filesystem::is_regular_file(resolved, ec))
      throw std::invalid_argument(fmt::format("no plugin file {}", resolved.string()));
    return resolved;
  }
  std::string searched;
  for (const auto& folder : search_folders(base)) {
    const auto candidate = folder / path;
    if (std::filesystem::is_regular_file(candidate, ec)) return candidate.lexically_normal();
    searched += (searched.empty() ? "" : ", ") + folder.string();
  }
  throw std::invalid_argument(
      fmt::format("plugin '{}' not found (searched RUNGS_PLUGIN_PATH, then: {})", name, searched));
}

std::vector<std::string> load_dimension_plugin(const std::filesystem::path& library) {
  static std::mutex mutex;
  static std::map<std::filesystem::path, std::vector<std::string>> loaded;  // canonical path -> kinds
  const std::lock_guard lock(mutex);

  std::error_code ec;
  const auto canonical = std::filesystem::canonical(library, ec);
  if (ec) throw std::runtime_error(fmt::format("plugin {}: {}", library.string(), ec.message()));
  if (const auto found = loaded.find(canonical); found != loaded.end()) return found->second;

  // RTLD_LOCAL: two plugins may define the same helper names without clashing.
  void* handle = dlopen(canonical.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) throw std::runtime_error(fmt::format("plugin {}: {}", library.string(), dlerror()));
  const auto fail = [&](const std::string& message) -> std::runtime_error {
    dlclose(handle);  // nothing of it was registered yet
    return std::runtime_error(fmt::format("plugin {}: {}", library.string(), message));
  };
  auto* api = reinterpret_cast<ApiFunction>(dlsym(handle, "rungs_dimension_plugin_api"));
  auto* registration = reinterpret_cast<RegisterFunction>(dlsym(handle, "rungs_register_dimensions"));
  if (api == nullptr || registration == nullptr)
    throw fail("not a rungs dimension plugin (no rungs_dimension_plugin_api / rungs_register_dimensions; "
               "define them with RUNGS_DIMENSION_PLUGIN from fidelity/dimension_registry.hpp)");
  if (const int version = api(); version != kDimensionPluginApi)
    throw fail(fmt::format("built against plugin interface {}, this rungs has {}: rebuild it with these headers",
                           version, kDimensionPluginApi));

  auto& registry = dimension_registry();
  const auto before = registry.names();
  try {
    registration(registry);
  } catch (const std::exception& e) {
    // Kinds it registered before failing stay (their code is in the library): never unload now.
    throw std::runtime_error(fmt::format("plugin {}: registration failed: {}", library.string(), e.what()));
  }
  const std::set<std::string> old(before.begin(), before.end());
  std::vector<std::string> added;
  for (const auto& name : registry.names())
    if (!old.count(name)) added.push_back(name);
  loaded.emplace(canonical, added);
  return added;
}

}  // namespace rungs::fidelity
