// The Python trial helper (client/rungs_trial.py) through a real campaign: params and budget
// arrive through the environment, reports are parsed, promoted trials resume.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <map>

#include "test_support.hpp"

using namespace rungs::testing;

TEST_CASE("a Python trial using rungs_trial.py reports, resumes and yields a best configuration") {
  TempDir dir;
  const auto script = std::string(RUNGS_SOURCE_DIR) + "/examples/01_quickstart/python_trial.py";
  write_file(dir.path() / "c.yaml", fmt::format(R"(name: python
seed: 5
metric: val_loss
space:
  a: {{type: float, low: 0, high: 1}}
  b: {{type: int, low: 0, high: 3}}
budget:
  min: 1
  max: 9
  dimensions:
    epochs: {{type: int, growth: continued, min: 1, max: 9}}
scheduler: {{type: successive_halving, eta: 3, max_concurrent: 2}}
trial:
  command: [python3, "{}"]
)", script));
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  INFO(read_file(dir.path() / "log"));
  REQUIRE(code == 0);
  CHECK(read_file(dir.path() / "log").find("Best configuration") != std::string::npos);

  // Steps per run: a resumed run continues counting where its checkpoint left off.
  std::map<std::pair<int, int>, std::vector<int>> steps;  // (trial, run) -> steps
  for (const auto& row : read_table(dir.path() / "out", "reports"))
    steps[{row["trial"].get<int>(), row["run"].get<int>()}].push_back(row["step"].get<int>());
  int resumed = 0;
  for (const auto& run : read_table(dir.path() / "out", "runs")) {
    CHECK(run["failure"].is_null());
    const auto& seen = steps[{run["trial"].get<int>(), run["run"].get<int>()}];
    REQUIRE(!seen.empty());
    CHECK(seen.back() == run["budget"]["epochs"].get<int>());
    if (run["resumed"].get<int>()) {
      ++resumed;
      CHECK(seen.front() > 1);  // did not start over
    }
  }
  CHECK(resumed == 3 + 1);
}

TEST_CASE("a Python trial imports rungs_trial with no PYTHONPATH of its own; a trial's own PYTHONPATH comes first") {
  TempDir dir;
  // Far from the source tree: only the PYTHONPATH rungs sets can find the helper.
  write_file(dir.path() / "trial.py", R"(import os, sys
import rungs_trial
print("PYTHONPATH=" + os.environ["PYTHONPATH"], file=sys.stderr)
for epoch in range(1, int(rungs_trial.budget()["epochs"]) + 1):
    rungs_trial.report(epoch, loss=abs(rungs_trial.params()["x"] - 0.3) + 1.0 / epoch)
)");
  write_file(dir.path() / "c.yaml", fmt::format(R"(name: helper
metric: loss
space:
  x: {{type: float, low: 0, high: 1}}
budget: {{min: 1, max: 3, dimensions: {{epochs: {{type: int, growth: continued, min: 1, max: 3}}}}}}
scheduler: {{type: successive_halving, eta: 3, max_concurrent: 2}}
trial:
  command: [/usr/bin/python3, "{}"]
  env: {{PYTHONPATH: /opt/my-modules}}
)",
                                                (dir.path() / "trial.py").string()));
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  const auto stderr_log = read_file(dir.path() / "out/trials/0001/stderr.log");
  INFO(read_file(dir.path() / "log"), stderr_log);
  REQUIRE(code == 0);
  CHECK(read_file(dir.path() / "log").find("Best configuration") != std::string::npos);
  CHECK(stderr_log.find("PYTHONPATH=/opt/my-modules:") != std::string::npos);
  CHECK(stderr_log.find("share/rungs/python") != std::string::npos);
}
