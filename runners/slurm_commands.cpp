#include "runners/slurm_commands.hpp"

#include <fmt/format.h>

#include <array>

namespace rungs::runners {

JobPhase job_phase(std::string_view state) {
  static constexpr std::array<std::string_view, 2> running = {"RUNNING", "COMPLETING"};
  static constexpr std::array<std::string_view, 13> ended = {
      "COMPLETED", "FAILED",    "CANCELLED", "TIMEOUT",      "NODE_FAIL", "PREEMPTED", "OUT_OF_MEMORY",
      "BOOT_FAIL", "DEADLINE", "SPECIAL_EXIT", "REVOKED",   "STOPPED",   "RESV_DEL_HOLD"};
  for (const auto name : running)
    if (state == name) return JobPhase::Running;
  for (const auto name : ended)
    if (state == name) return name == "STOPPED" || name == "RESV_DEL_HOLD" ? JobPhase::Waiting : JobPhase::Ended;
  // CANCELLED may come as "CANCELLED by 0" from some tools.
  if (state.substr(0, 9) == "CANCELLED") return JobPhase::Ended;
  return JobPhase::Waiting;
}

bool ended_by_cluster(std::string_view state) {
  return state == "TIMEOUT" || state == "PREEMPTED" || state == "NODE_FAIL" || state == "BOOT_FAIL";
}

std::vector<std::string> squeue_argv(const std::string& squeue, const std::vector<std::string>& jobs) {
  std::string list;
  for (const auto& job : jobs) list += (list.empty() ? "" : ",") + job;
  return {squeue, "--noheader", "--states=all", "--jobs=" + list, "--format=%i|%T|%r"};
}

std::map<std::string, JobState> parse_squeue(std::string_view out) {
  std::map<std::string, JobState> jobs;
  while (!out.empty()) {
    const auto newline = out.find('\n');
    std::string_view line = out.substr(0, newline);
    out.remove_prefix(newline == std::string_view::npos ? out.size() : newline + 1);
    while (!line.empty() && (line.front() == ' ')) line.remove_prefix(1);
    const auto first = line.find('|');
    if (first == std::string_view::npos || first == 0) continue;
    const auto second = line.find('|', first + 1);
    JobState state;
    state.state = std::string(line.substr(first + 1, second == std::string_view::npos ? std::string_view::npos
                                                                                        : second - first - 1));
    if (second != std::string_view::npos) state.reason = std::string(line.substr(second + 1));
    if (state.state.empty()) continue;
    jobs[std::string(line.substr(0, first))] = std::move(state);
  }
  return jobs;
}

std::vector<std::string> squeue_by_name_argv(const std::string& squeue, const std::string& name) {
  return {squeue, "--noheader", "--states=all", "--name=" + name, "--format=%i"};
}

std::vector<std::string> parse_job_ids(std::string_view out) {
  std::vector<std::string> ids;
  while (!out.empty()) {
    const auto newline = out.find('\n');
    std::string_view line = out.substr(0, newline);
    out.remove_prefix(newline == std::string_view::npos ? out.size() : newline + 1);
    while (!line.empty() && (line.front() == ' ' || line.back() == ' ' || line.back() == '\r'))
      line = line.front() == ' ' ? line.substr(1) : line.substr(0, line.size() - 1);
    if (!line.empty()) ids.emplace_back(line);
  }
  return ids;
}

std::optional<std::string> parse_sbatch(std::string_view out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r' || out.back() == ' ')) out.remove_suffix(1);
  const auto id = out.substr(0, out.find(';'));
  if (id.empty() || id.find_first_not_of("0123456789_") != std::string_view::npos) return std::nullopt;
  return std::string(id);
}

std::vector<std::string> sbatch_argv(const std::string& sbatch, const JobRequest& request) {
  std::vector<std::string> argv = {sbatch,
                                   "--parsable",
                                   "--no-requeue",
                                   "--open-mode=append",
                                   "--export=ALL",
                                   "--job-name=" + request.name,
                                   "--chdir=" + request.working_dir.string(),
                                   "--output=" + request.stdout_path.string(),
                                   "--error=" + request.stderr_path.string()};
  argv.insert(argv.end(), request.resources.begin(), request.resources.end());
  argv.push_back(request.script.string());
  argv.insert(argv.end(), request.script_args.begin(), request.script_args.end());
  return argv;
}

std::vector<std::string> scancel_argv(const std::string& scancel, const std::vector<std::string>& jobs,
                                      const std::string& signal) {
  std::vector<std::string> argv = {scancel};
  if (!signal.empty()) argv.insert(argv.end(), {"--full", "--signal=" + signal});
  argv.insert(argv.end(), jobs.begin(), jobs.end());
  return argv;
}

std::string slurm_time(std::chrono::seconds limit) {
  auto minutes = std::max<long long>(1, (limit.count() + 59) / 60);
  const auto days = minutes / (24 * 60);
  minutes %= 24 * 60;
  if (days > 0) return fmt::format("{}-{:02d}:{:02d}:00", days, minutes / 60, minutes % 60);
  return fmt::format("{:02d}:{:02d}:00", minutes / 60, minutes % 60);
}

std::string job_script_text(const std::filesystem::path& supervisor) {
  // The supervisor's path in single quotes, each ' written as '\'' (POSIX sh).
  std::string quoted = "'";
  for (const char c : supervisor.string()) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  return "#!/bin/sh\n"
         "# A rungs trial as a Slurm batch job (runners/slurm_runner.hpp): the run's supervisor\n"
         "# with this script's arguments, passed on as given (no value is read by the shell).\n"
         "# $1 is the base of the supervisor's exit record; each job of a chain writes its own.\n"
         "record=\"$1\"\n"
         "shift\n"
         "exec " + quoted + " --detached --record \"$record.$SLURM_JOB_ID\" \"$@\"\n";
}

}  // namespace rungs::runners
