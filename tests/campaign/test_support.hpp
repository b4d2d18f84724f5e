#pragma once
// Helpers shared by the campaign tests: temporary directories, JSON-lines files, running the
// `rungs` binary as a child process.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <boost/asio/io_context.hpp>

#include "campaign/campaign_directory.hpp"
#include "campaign/campaign_loop.hpp"
#include "campaign/factory.hpp"
#include "store/store.hpp"
#include "runners/local_runner.hpp"
#include "tests/temp_dir.hpp"

namespace rungs::testing {

inline std::vector<nlohmann::json> read_json_lines(const std::filesystem::path& file) {
  std::vector<nlohmann::json> rows;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  return rows;
}

// A table or view of a campaign's database ("trials", "runs", "reports", "warnings"), rows as
// JSON objects (docs/storage.md).
inline std::vector<nlohmann::json> read_table(const std::filesystem::path& campaign_dir, const std::string& table) {
  const auto store = store::CampaignStore::open(campaign_dir, /*read_only=*/true);
  // The typed rows as `rungs export` writes them (store/records.hpp).
  const nlohmann::json rows = table == "trials"    ? nlohmann::json(store.trials())
                              : table == "runs"    ? nlohmann::json(store.runs())
                              : table == "reports" ? nlohmann::json(store.reports())
                                                   : nlohmann::json(store.warnings());
  return {rows.begin(), rows.end()};
}

// A campaign's whole event log as text, one event a line (kind, trial, run, time, data): equal
// logs mean equal campaigns.
inline std::string event_log(const std::filesystem::path& campaign_dir) {
  const auto store = store::CampaignStore::open(campaign_dir, /*read_only=*/true);
  std::string text;
  for (const auto& event : store.events())
    text += std::string(store::to_string(event.kind)) + " " + std::to_string(event.trial.value_or(-1)) + " " +
            std::to_string(event.run.value_or(-1)) + " " + std::to_string(event.time) + " " + event.data.dump() + "\n";
  return text;
}

// `spec` run in-process with real trial processes (programs found in the build's bin/ too),
// results in `output` (a new campaign directory), no signal handling.
inline campaign::CampaignOutcome run_local_campaign(const campaign::CampaignSpec& spec,
                                                   const std::filesystem::path& output) {
  auto scheduler = campaign::make_scheduler(spec);
  boost::asio::io_context io;
  runners::LocalRunnerOptions runner_options;
  runner_options.program_dirs = {RUNGS_BIN_DIR};
  runners::LocalRunner runner(io, runner_options);
  campaign::LoopOptions options;
  options.output = output;
  options.handle_signals = false;
  auto store = campaign::create_campaign_directory(spec, output, "run", nlohmann::json::object());
  return campaign::run_campaign(spec, *scheduler, runner, io, store, options);
}

inline void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file) << text;
}

inline std::string read_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `rungs` with arguments, stdout+stderr into `log`; returns the pid (not waited for).
inline pid_t spawn_rungs(const std::vector<std::string>& args, const std::filesystem::path& log,
                         const std::filesystem::path& cwd) {
  const std::string program = std::string(RUNGS_BIN_DIR) + "/rungs";
  const pid_t pid = fork();
  if (pid == 0) {
    std::filesystem::current_path(cwd);
    FILE* out = std::fopen(log.c_str(), "w");
    dup2(fileno(out), 1);
    dup2(fileno(out), 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

// Exit code of a child (128 + signal when killed).
inline int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

inline int run_rungs(const std::vector<std::string>& args, const std::filesystem::path& log,
                     const std::filesystem::path& cwd) {
  return wait_exit(spawn_rungs(args, log, cwd));
}

}  // namespace rungs::testing
