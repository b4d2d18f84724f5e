// synthetic-trial as rungs launches it: RUNGS_PARAMS / RUNGS_BUDGET in, @rungs lines out.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "problems/augmented_branin.hpp"
#include "problems/registry.hpp"

using namespace rungs;

namespace {

struct Output {
  std::vector<std::string> lines;
  int status = -1;
};

// Runs `environment synthetic-trial arguments` through the shell (the test controls both).
Output run_trial(const std::string& environment, const std::string& arguments) {
  const std::string command = "env -u RUNGS_TRIAL_ID -u RUNGS_TRIAL_DIR -u RUNGS_RESUME -u RUNGS_PARAMS_FILE " +
                              environment + " " + RUNGS_BIN_DIR "/synthetic-trial " + arguments + " 2>&1";
  Output out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    std::string line(buffer);
    if (!line.empty() && line.back() == '\n') line.pop_back();
    out.lines.push_back(line);
  }
  out.status = ::pclose(pipe);
  return out;
}

double loss_of(const std::string& line) {
  const auto at = line.find("\"loss\":");
  REQUIRE(at != std::string::npos);
  return std::stod(line.substr(at + 7));
}

const char* kBraninParams = R"(RUNGS_PARAMS='{"x1": 3.0, "x2": 2}')";

}  // namespace

TEST_CASE("synthetic-trial: one report per epoch, converging to the full-fidelity value") {
  const auto out = run_trial(std::string(kBraninParams) + R"( RUNGS_BUDGET='{"epochs": 9}')",
                             "--problem branin --max-epochs 9");
  CHECK(out.status == 0);
  REQUIRE(out.lines.size() == 9);
  CHECK(out.lines.front().rfind(R"(@rungs {"step":1,"loss":)", 0) == 0);
  const auto& branin = problems::by_name("branin");
  const space::Config config{{"x1", 3.0}, {"x2", 2.0}};
  for (std::size_t e = 0; e < 9; ++e)
    CHECK(loss_of(out.lines[e]) == doctest::Approx(branin.at_epoch(config, static_cast<double>(e + 1), 9)));
  CHECK(loss_of(out.lines.back()) == doctest::Approx(branin.true_value(config)));
}

TEST_CASE("synthetic-trial: a promoted trial resumes after its checkpoint") {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("rungs-synthetic-trial-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string env = std::string(kBraninParams) + " RUNGS_TRIAL_ID=7 RUNGS_TRIAL_DIR=" + dir.string();
  const auto first = run_trial(env + R"( RUNGS_BUDGET='{"epochs": 3}')", "--problem branin");
  REQUIRE(first.lines.size() == 3);
  const auto second = run_trial(env + R"( RUNGS_RESUME=1 RUNGS_BUDGET='{"epochs": 9}')", "--problem branin");
  REQUIRE(second.lines.size() == 6);
  CHECK(second.lines.front().rfind(R"(@rungs {"step":4,)", 0) == 0);
  std::filesystem::remove_all(dir);
}

TEST_CASE("synthetic-trial: without epochs it evaluates the problem's own fidelity") {
  const auto low = run_trial(std::string(kBraninParams) + R"( RUNGS_BUDGET='{"s": 0}')", "--problem branin");
  REQUIRE(low.lines.size() == 1);
  CHECK(loss_of(low.lines[0]) == doctest::Approx(problems::augmented_branin(3.0, 2.0, 0.0)));
}

TEST_CASE("synthetic-trial: bad input exits with status 2 and a message") {
  const auto unknown = run_trial(kBraninParams, "--problem rosenbrock");
  CHECK(WEXITSTATUS(unknown.status) == 2);
  REQUIRE(!unknown.lines.empty());
  CHECK(unknown.lines[0].find("unknown problem 'rosenbrock'") != std::string::npos);
  const auto bad = run_trial(R"(RUNGS_PARAMS='{"x1": 30.0, "x2": 2}')", "--problem branin");
  CHECK(WEXITSTATUS(bad.status) == 2);
}
