#pragma once
// What the Slurm tests share: running a Slurm client command with its argv as given (no shell),
// waiting for a job's state, and a fresh working directory per test on the cluster's
// filesystem. The cluster is the one tests/CMakeLists.txt starts as a fixture
// (scripts/slurm_cluster.sh); SLURM_CONF in the environment names it.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/streambuf.hpp>

#include "runners/boost_process.hpp"
#include "tests/test_deadline.hpp"

namespace rungs::testing::slurm {

namespace fs = std::filesystem;

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `program args...` (looked up in PATH) to its end: exit code, stdout and stderr.
inline CommandResult run(const std::string& program, const std::vector<std::string>& args) {
  namespace bp = boost::process::v2;
  namespace asio = boost::asio;
  asio::io_context context;
  asio::readable_pipe out_pipe(context);
  asio::readable_pipe err_pipe(context);
  const auto executable = bp::environment::find_executable(program);
  REQUIRE_MESSAGE(!executable.empty(), program << " is not in PATH (scripts/setup.sh installs Slurm)");
  bp::process process(context, executable, args, bp::process_stdio{nullptr, out_pipe, err_pipe});
  CommandResult result;
  auto out_buffer = asio::dynamic_buffer(result.out);
  auto err_buffer = asio::dynamic_buffer(result.err);
  asio::async_read(out_pipe, out_buffer, [](auto, auto) {});
  asio::async_read(err_pipe, err_buffer, [](auto, auto) {});
  context.run();  // until both pipes are at end of file
  result.exit_code = process.wait();
  return result;
}

// The cluster's configuration: the fixture sets SLURM_CONF for every test of the suite.
inline fs::path slurm_conf() {
  const char* conf = std::getenv("SLURM_CONF");
  REQUIRE_MESSAGE(conf != nullptr,
                  "SLURM_CONF is not set: run the Slurm tests through ctest (a fixture starts the "
                  "cluster) or after `scripts/slurm_cluster.sh start DIR; . DIR/env.sh`");
  REQUIRE_MESSAGE(fs::exists(conf), "SLURM_CONF=" << conf << " does not exist: the cluster did not start");
  return conf;
}

// A new empty directory for one test, beside the cluster's files (the job sees the same paths).
inline fs::path work_dir(const std::string& name) {
  const auto dir = slurm_conf().parent_path() / "work" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Writes an executable script.
inline fs::path write_script(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text;
  fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  return path;
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// `sbatch --parsable ARGS...`: the job id, checked to be all digits.
inline std::string submit(const std::vector<std::string>& args) {
  std::vector<std::string> all{"--parsable"};
  all.insert(all.end(), args.begin(), args.end());
  const auto result = run("sbatch", all);
  REQUIRE_MESSAGE(result.exit_code == 0, "sbatch failed: " << result.err);
  const auto id = trimmed(result.out);
  REQUIRE_MESSAGE((!id.empty() && id.find_first_not_of("0123456789") == std::string::npos),
                  "sbatch --parsable printed '" << result.out << "'");
  return id;
}

// The job's state as squeue prints it for any state (`-t all`), "" when squeue knows no such job.
inline std::string job_state(const std::string& id) {
  return trimmed(run("squeue", {"-h", "-t", "all", "-j", id, "-o", "%T"}).out);
}

// Waits until the job is in `state`; fails the test (naming the last state) after a deadline.
inline void wait_for_state(const std::string& id, const std::string& state,
                           std::chrono::milliseconds typical = std::chrono::milliseconds(2000)) {
  const auto until = std::chrono::steady_clock::now() + deadline(typical);
  std::string seen;
  while ((seen = job_state(id)) != state && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_MESSAGE(seen == state, "job " << id << " is '" << seen << "', not " << state);
}

// One field of `scontrol show job -o ID` (e.g. "ExitCode"), "" when the field is missing.
inline std::string job_field(const std::string& id, const std::string& field) {
  const auto line = run("scontrol", {"show", "job", "-o", id}).out;
  const auto key = " " + field + "=";
  const auto at = line.find(key);
  if (at == std::string::npos) return "";
  const auto begin = at + key.size();
  return line.substr(begin, line.find_first_of(" \n", begin) - begin);
}

// Waits until `file` holds the line `line` (a job's script writes it once it really runs);
// fails the test, showing the file, after a deadline.
inline void wait_for_file_line(const fs::path& file, const std::string& line) {
  const auto until = std::chrono::steady_clock::now() + deadline(std::chrono::milliseconds(2000));
  while (read_file(file).find(line + "\n") == std::string::npos && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  REQUIRE_MESSAGE(read_file(file).find(line + "\n") != std::string::npos,
                  file << " has no line " << line << ": '" << read_file(file) << "'");
}

}  // namespace rungs::testing::slurm
