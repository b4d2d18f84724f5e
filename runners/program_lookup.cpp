#include "runners/program_lookup.hpp"

#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <system_error>

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace rungs::runners {

namespace {

std::vector<std::filesystem::path> path_dirs() {
  std::vector<std::filesystem::path> dirs;
  const char* env = std::getenv("PATH");
  if (env == nullptr) {
    return dirs;
  }
  std::string_view rest = env;
  while (true) {
    const auto colon = rest.find(':');
    const std::string_view entry = rest.substr(0, colon);
    // An empty entry means "the current directory" to a shell: deliberately not honoured.
    if (!entry.empty() && entry.front() == '/') {
      dirs.emplace_back(entry);
    }
    if (colon == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(colon + 1);
  }
  return dirs;
}

}  // namespace

std::filesystem::path resolve_program(const std::string& name,
                                      const std::vector<std::filesystem::path>& extra_dirs) {
  if (name.empty()) {
    throw std::invalid_argument("empty program name in trial command");
  }
  if (name.find('/') != std::string::npos) {
    return name;
  }
  std::vector<std::filesystem::path> dirs = path_dirs();
  for (const auto& dir : extra_dirs) {
    dirs.push_back(dir.is_absolute() ? dir : std::filesystem::absolute(dir));
  }

  std::string not_executable;
  for (const auto& dir : dirs) {
    const auto candidate = dir / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(candidate, ec)) {
      continue;
    }
    if (::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (not_executable.empty()) {
      not_executable = candidate.string();
    }
  }

  std::vector<std::string> dir_names;
  for (const auto& dir : dirs) {
    dir_names.push_back(dir.string());
  }
  const std::string searched = fmt::format("{}", fmt::join(dir_names, ":"));
  std::string message =
      fmt::format("program '{}' not found in PATH or the extra directories (searched: {})", name,
                  searched.empty() ? "nothing" : searched);
  if (!not_executable.empty()) {
    message += fmt::format("; '{}' exists but is not executable (chmod +x?)", not_executable);
  }
  throw std::runtime_error(message);
}

}  // namespace rungs::runners
