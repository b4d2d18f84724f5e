#pragma once
// Turning a scheduler Job into what a runner launches, per the trial protocol: the argv from
// the command template, the RUNGS_* environment and the params.json file in the trial's
// directory. JSON helpers for configurations and budgets live here too, so every file and
// variable spells a configuration the same way.
#include <filesystem>

#include <nlohmann/json.hpp>

#include "campaign/campaign_spec.hpp"
#include "runners/runner.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

nlohmann::json to_json(const space::Config& config);
// Per dimension, integers as integers: {"epochs": 9, "data_fraction": 0.5}.
nlohmann::json to_json(const fidelity::BudgetLadder& ladder, const fidelity::Budget& budget);

// The trial's directory under the campaign output: trials/0007.
std::filesystem::path trial_directory(const std::filesystem::path& output, scheduler::TrialId trial);

// Creates the trial directory, writes params.json and returns the launch. argv[0] with a
// '/' but relative is resolved against the campaign file's folder; a bare name is left for
// the runner to look up. An argv element naming an inactive parameter is dropped.
// Every budget dimension reaches the trial three ways: its {name} placeholder, its key in
// RUNGS_BUDGET (JSON) and its own variable (fidelity::env_name: RUNGS_BUDGET_<NAME> or the
// dimension's `env`), plus whatever variables a custom kind adds. RUNGS_RESUME (and
// {resume}) is 1 only when fidelity::run_start says Resume: a promotion that changes a
// rerun-on-change dimension starts over (0) in the same trial directory.
// A PBT trial's first run (Job::inherits) also gets RUNGS_INHERITED_FROM (the donor's trial id)
// and "inherited_from" in params.json: its directory holds the donor's checkpoint, copied.
// PYTHONPATH ends with python_helper_directory() (after the trial's own PYTHONPATH, from
// trial.env or rungs' environment): a Python trial can `import rungs_trial` as it is.
runners::LaunchSpec prepare_launch(const CampaignSpec& spec, const scheduler::Job& job,
                                   const std::filesystem::path& trial_dir);

// Where the Python trial helper (client/rungs_trial.py) is, found from the running binary:
// BIN/../share/rungs/python, both in a build tree (CMake copies it there) and installed
// (cmake --install puts it there); empty if it is in neither.
std::filesystem::path python_helper_directory();

}  // namespace rungs::campaign
