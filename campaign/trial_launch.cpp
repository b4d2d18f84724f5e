#include "campaign/trial_launch.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <set>

#include "fidelity/custom_dimension.hpp"
#include "fidelity/run_cost.hpp"
#include "runners/command_template.hpp"

namespace rungs::campaign {

nlohmann::json to_json(const space::Config& config) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : config) std::visit([&](const auto& v) { out[name] = v; }, value);
  return out;
}

nlohmann::json to_json(const fidelity::BudgetLadder& ladder, const fidelity::Budget& budget) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& dim : ladder.dimensions()) {
    const double value = budget.values.at(dim.name);
    if (dim.integer) out[dim.name] = static_cast<long long>(value);
    else out[dim.name] = value;
  }
  return out;
}

std::filesystem::path trial_directory(const std::filesystem::path& output, scheduler::TrialId trial) {
  return output / "trials" / fmt::format("{:04d}", trial);
}

runners::LaunchSpec prepare_launch(const CampaignSpec& spec, const scheduler::Job& job,
                                   const std::filesystem::path& trial_dir) {
  std::filesystem::create_directories(trial_dir);
  // A promotion resumes from the checkpoint unless a rerun-on-change dimension (a resolution,
  // a data fraction without warm_start) changed: then the run starts over at the new value.
  const bool resume = fidelity::run_start(spec.ladder, job.budget, job.resume_from) == fidelity::RunStart::Resume;
  const auto params = to_json(job.config);
  const auto budget = to_json(spec.ladder, job.budget);
  nlohmann::json file = {{"trial_id", job.trial}, {"params", params}, {"budget", budget},
                         {"level", job.budget.level}, {"resume", resume}};
  // The level the checkpoint holds: the one below for a promotion, any lower one for a
  // freeze-thaw leap or a race to the top.
  if (resume) file["resume_level"] = job.resume_from->level;
  // PBT: this run starts from another trial's weights (inherited.json says which and where).
  if (job.inherits) file["inherited_from"] = job.inherits->donor;
  std::ofstream(trial_dir / "params.json") << file.dump(2) << '\n';

  std::map<std::string, std::string> values = {
      {"trial_id", std::to_string(job.trial)}, {"trial_dir", trial_dir.string()},
      {"campaign_dir", spec.directory.string()}, {"budget", fmt::format("{}", job.budget.units)},
      {"level", std::to_string(job.budget.level)}, {"resume", std::to_string(int{resume})}};
  std::set<std::string> absent;
  for (const auto& param : spec.space.parameters()) {
    const auto found = job.config.find(param.name);
    if (found == job.config.end()) absent.insert(param.name);
    else values[param.name] = space::to_string(found->second);
  }
  // Each dimension as text ("9", "0.5", or a custom kind's own format), for its placeholder
  // and its own environment variable.
  std::map<std::string, std::string> dimension_env;
  for (const auto& dim : spec.ladder.dimensions()) {
    const double value = job.budget.values.at(dim.name);
    values[dim.name] = fidelity::format_value(dim, value);
    dimension_env[fidelity::env_name(dim)] = values[dim.name];
    if (const auto* custom = std::get_if<fidelity::Custom>(&dim.mapping))
      for (auto& [name, text] : custom->dimension->environment(value)) dimension_env[name] = std::move(text);
  }

  runners::LaunchSpec launch;
  launch.argv = runners::expand(spec.trial.command, values, absent);
  const std::filesystem::path program(launch.argv.front());
  if (program.is_relative() && launch.argv.front().find('/') != std::string::npos)
    launch.argv.front() = (spec.directory / program).lexically_normal().string();
  launch.working_dir = trial_dir;
  launch.stderr_path = trial_dir / "stderr.log";
  launch.timeout = spec.trial.timeout;
  launch.grace = spec.trial.grace;
  launch.env = spec.trial.env;
  for (const auto& [name, text] : dimension_env) launch.env[name] = text;  // RUNGS_BUDGET_EPOCHS=9
  launch.env["RUNGS_TRIAL_ID"] = std::to_string(job.trial);
  launch.env["RUNGS_TRIAL_DIR"] = trial_dir.string();
  launch.env["RUNGS_PARAMS"] = params.dump();
  launch.env["RUNGS_BUDGET"] = budget.dump();
  launch.env["RUNGS_LEVEL"] = std::to_string(job.budget.level);
  launch.env["RUNGS_RESUME"] = std::to_string(int{resume});
  if (resume) launch.env["RUNGS_RESUME_LEVEL"] = std::to_string(job.resume_from->level);
  launch.env["RUNGS_PARAMS_FILE"] = (trial_dir / "params.json").string();
  if (job.inherits) launch.env["RUNGS_INHERITED_FROM"] = std::to_string(job.inherits->donor);
  if (const auto helper = python_helper_directory(); !helper.empty()) {
    // The trial's own modules first: a rungs_trial.py of its own wins.
    const auto own = launch.env.find("PYTHONPATH");
    const char* inherited = std::getenv("PYTHONPATH");
    std::string path = own != launch.env.end() ? own->second : inherited ? inherited : "";
    launch.env["PYTHONPATH"] = path.empty() ? helper.string() : path + ":" + helper.string();
  }
  return launch;
}

std::filesystem::path python_helper_directory() {
  static const std::filesystem::path directory = [] {
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec) return std::filesystem::path();
    auto helper = (exe.parent_path() / ".." / "share" / "rungs" / "python").lexically_normal();
    return std::filesystem::exists(helper / "rungs_trial.py", ec) ? helper : std::filesystem::path();
  }();
  return directory;
}

}  // namespace rungs::campaign
