#include "runners/exec_plan.hpp"

#include <unistd.h>

#include <string_view>
#include <system_error>

#include <fmt/format.h>

#include "runners/program_lookup.hpp"

extern char** environ;

namespace rungs::runners {

namespace {

bool contains_nul(const std::string& s) { return s.find('\0') != std::string::npos; }

std::vector<const char*> pointers(const std::vector<std::string>& strings) {
  std::vector<const char*> result;
  result.reserve(strings.size() + 1);
  for (const auto& s : strings) {
    result.push_back(s.c_str());
  }
  result.push_back(nullptr);
  return result;
}

}  // namespace

std::vector<const char*> ExecPlan::argv_pointers() const { return pointers(argv); }
std::vector<const char*> ExecPlan::env_pointers() const { return pointers(env); }

std::string plan_exec(const LaunchSpec& spec, const std::vector<std::filesystem::path>& program_dirs,
                      ExecPlan& plan) {
  if (spec.argv.empty() || spec.argv.front().empty()) {
    return "empty command";
  }
  for (const auto& arg : spec.argv) {
    if (contains_nul(arg)) {
      return "a command argument contains a NUL character";
    }
  }
  for (const auto& [key, value] : spec.env) {
    if (key.empty() || key.find('=') != std::string::npos || contains_nul(key) ||
        contains_nul(value)) {
      return fmt::format(
          "invalid environment variable '{}' (empty name, '=' in the name, or a NUL character)",
          key);
    }
  }

  std::error_code fs_error;
  if (!spec.working_dir.empty() && !std::filesystem::is_directory(spec.working_dir, fs_error)) {
    return fmt::format("working directory '{}' does not exist or is not a directory",
                       spec.working_dir.string());
  }

  const std::string& program = spec.argv.front();
  if (program.find('/') != std::string::npos) {
    plan.executable = program;  // execve resolves a relative one after the chdir, like we do here
    const auto where = plan.executable.is_relative() && !spec.working_dir.empty()
                           ? spec.working_dir / plan.executable
                           : plan.executable;
    if (!std::filesystem::exists(where, fs_error)) {
      return fmt::format("program '{}' not found (looked at '{}')", program, where.string());
    }
    if (std::filesystem::is_directory(where, fs_error)) {
      return fmt::format("program '{}' is a directory", program);
    }
    if (::access(where.c_str(), X_OK) != 0) {
      return fmt::format("program '{}' is not executable (chmod +x?)", program);
    }
  } else {
    try {
      plan.executable = resolve_program(program, program_dirs);
    } catch (const std::exception& e) {
      return e.what();
    }
  }

  plan.argv = spec.argv;
  plan.env.clear();
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    const auto name = text.substr(0, text.find('='));
    if (spec.env.find(std::string(name)) == spec.env.end()) {
      plan.env.emplace_back(text);
    }
  }
  for (const auto& [key, value] : spec.env) {
    plan.env.push_back(key + "=" + value);
  }
  return {};
}

}  // namespace rungs::runners
