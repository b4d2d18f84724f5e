#pragma once
// Loading dimension plugins: shared libraries that register custom dimension kinds
// (dimension_registry.hpp). A campaign lists them under `plugins:`; a program embedding rungs
// may call load_dimension_plugin itself.
#include <filesystem>
#include <string>
#include <vector>

namespace rungs::fidelity {

// Where a plugin named in a campaign file is. A name with a '/' is a path, relative to
// `base` (the campaign file's folder) unless absolute. A bare file name ("libdownsample.so")
// is looked up, first match wins, in: each folder of RUNGS_PLUGIN_PATH (':'-separated), the
// folder of the running executable (a build's bin/, where the examples' plugins land), then
// `base`. Throws std::invalid_argument listing the folders searched when nothing is found.
std::filesystem::path find_dimension_plugin(const std::string& name, const std::filesystem::path& base);

// Opens the library (dlopen, RTLD_NOW | RTLD_LOCAL), checks rungs_dimension_plugin_api()
// against kDimensionPluginApi and calls rungs_register_dimensions(dimension_registry()).
// Returns the kinds it registered. A library already loaded by this process (the same file,
// by canonical path) is not registered twice: the call returns the kinds it registered then.
// Libraries are never unloaded (the registered kinds run their code). Throws
// std::runtime_error naming the file: not loadable (dlerror's text), not a rungs plugin (a
// missing entry point), another interface version, or a registration that failed.
std::vector<std::string> load_dimension_plugin(const std::filesystem::path& library);

}  // namespace rungs::fidelity
