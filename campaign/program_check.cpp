#include "campaign/program_check.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "campaign/config_error.hpp"
#include "runners/program_lookup.hpp"

namespace rungs::campaign {

namespace {

// command[0]'s line and column when the spec was read from a file, else the file alone.
Location program_location(const CampaignSpec& spec) {
  if (spec.trial.program_at.line > 0) return {spec.file.string(), spec.trial.program_at.line, spec.trial.program_at.column};
  return {spec.file.string(), 0, 0};
}

}  // namespace

void check_program(const CampaignSpec& spec, const std::vector<std::filesystem::path>& program_dirs) {
  namespace fs = std::filesystem;
  const auto& program = spec.trial.command.front();
  if (program.find('{') != std::string::npos) return;  // known only per trial
  if (program.find('/') != std::string::npos) {
    const fs::path path = fs::path(program).is_absolute() ? fs::path(program) : spec.directory / program;
    if (access(path.c_str(), X_OK) != 0)
      throw ConfigError(program_location(spec), "trial.command[0]",
                        fmt::format("'{}' is not an executable file", path.string()));
    return;
  }
  try {
    runners::resolve_program(program, program_dirs);
  } catch (const std::exception& e) {
    throw ConfigError(program_location(spec), "trial.command[0]", e.what());
  }
}

}  // namespace rungs::campaign
