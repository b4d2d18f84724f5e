#include "campaign/checkpoint_copy.hpp"

#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <system_error>

namespace rungs::campaign {

namespace fs = std::filesystem;

namespace {

constexpr const char* kKeptFolder = "rungs-checkpoints";
constexpr const char* kInheritedFile = "inherited.json";

// Copies the checkpoint entries of `from` into `to` (created), replacing what is there.
void copy_entries(const fs::path& from, const fs::path& to, bool skip_rungs_files) {
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    const std::string name = entry.path().filename().string();
    if (skip_rungs_files && rungs_file(name)) continue;
    const fs::path target = to / name;
    if (fs::exists(fs::symlink_status(target))) fs::remove_all(target);
    fs::copy(entry.path(), target, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  }
}

}  // namespace

bool rungs_file(const std::string& name) {
  static const std::regex run_file(R"(run-\d+\.(out|record))");
  return name == "params.json" || name == kInheritedFile || name == "stdout.log" || name == "stderr.log" ||
         name == kKeptFolder || std::regex_match(name, run_file);
}

fs::path kept_checkpoint(const fs::path& trial_dir, std::size_t level) {
  return trial_dir / kKeptFolder / std::to_string(level);
}

std::optional<std::string> keep_checkpoint(const fs::path& trial_dir, std::size_t level) {
  const fs::path kept = kept_checkpoint(trial_dir, level);
  const fs::path partial = kept.parent_path() / fmt::format(".{}.partial", level);
  try {
    if (!fs::exists(trial_dir)) return std::nullopt;  // a simulated trial has no directory
    fs::remove_all(partial);
    copy_entries(trial_dir, partial, /*skip_rungs_files=*/true);
    fs::remove_all(kept);
    fs::rename(partial, kept);
    return std::nullopt;
  } catch (const fs::filesystem_error& e) {
    std::error_code ignored;
    fs::remove_all(partial, ignored);
    return fmt::format("could not keep the checkpoint of {} at level {}: {}", trial_dir.string(), level, e.what());
  }
}

std::optional<std::string> inherit_checkpoint(const fs::path& donor_dir, std::size_t level, const fs::path& trial_dir,
                                              const nlohmann::json& record) {
  try {
    fs::create_directories(trial_dir);
    if (fs::exists(trial_dir / kInheritedFile)) return std::nullopt;  // copied before a crash of rungs
    const fs::path kept = kept_checkpoint(donor_dir, level);
    if (!fs::exists(donor_dir)) return std::nullopt;  // simulated trials have no directories
    if (!fs::is_directory(kept))
      return fmt::format("no checkpoint of {} kept at level {} ({} is missing): the trial starts without it",
                         donor_dir.filename().string(), level, kept.string());
    copy_entries(kept, trial_dir, /*skip_rungs_files=*/false);
    const fs::path tmp = trial_dir / ".inherited.json.tmp";
    std::ofstream(tmp) << record.dump(2) << '\n';
    fs::rename(tmp, trial_dir / kInheritedFile);
    return std::nullopt;
  } catch (const fs::filesystem_error& e) {
    return fmt::format("could not copy the checkpoint of {} at level {} into {}: {}", donor_dir.string(), level,
                       trial_dir.string(), e.what());
  }
}

}  // namespace rungs::campaign
