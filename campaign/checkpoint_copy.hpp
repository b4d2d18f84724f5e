#pragma once
// Checkpoints copied between trials, for population-based training (scheduler/pbt.hpp; the
// trial protocol in the README, "Population-based training").
//
// A trial's checkpoint is everything in its directory that rungs does not write itself:
// every file and folder except params.json, inherited.json, stdout.log, stderr.log,
// run-N.out, run-N.record and rungs-checkpoints/. rungs never reads it; it only copies it.
//
//  - keep_checkpoint(): at the end of a run handed out with Job::keep_checkpoint (the loop
//    calls it before recording the run's end), the checkpoint is copied into
//    rungs-checkpoints/<level>/ of the trial's directory, atomically (a temporary folder
//    renamed), so that a member exploiting this trial later gets its weights at exactly this
//    level, however far the trial has trained since. Each level's copy is kept (a later copy
//    or a resumed campaign may need it): PBT's disk use is population x intervals x the
//    checkpoint's size; delete rungs-checkpoints/ folders once the campaign is over.
//  - inherit_checkpoint(): before the first run of a trial that inherits (Job::inherits),
//    the donor's kept checkpoint at Job::resume_from is copied into the new trial's directory
//    and inherited.json records what was copied. Idempotent: it does nothing when
//    inherited.json exists, so a relaunch after a crash of rungs copies once.
// Both return a message when something could not be copied (the trial then finds no or an
// older checkpoint and trains from what it has; rungs warns), never throw.
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace rungs::campaign {

// Whether `name` (a file or folder directly in a trial directory) is one of rungs' own.
bool rungs_file(const std::string& name);

// trial_dir/rungs-checkpoints/<level>.
std::filesystem::path kept_checkpoint(const std::filesystem::path& trial_dir, std::size_t level);

std::optional<std::string> keep_checkpoint(const std::filesystem::path& trial_dir, std::size_t level);

// `record` is written as inherited.json once the copy is complete.
std::optional<std::string> inherit_checkpoint(const std::filesystem::path& donor_dir, std::size_t level,
                                              const std::filesystem::path& trial_dir, const nlohmann::json& record);

}  // namespace rungs::campaign
