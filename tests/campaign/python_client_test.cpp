// The Python trial helper (client/rungs_trial.py) through a real campaign: params and budget
// arrive through the environment, reports are parsed, promoted trials resume.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdlib>
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

namespace {

// The end of a trial script: every epoch of its budget reported, loss = |x - 0.3| + 1 / epoch.
constexpr const char* kReportEpochs = R"(
for epoch in range(1, int(rungs_trial.budget()["epochs"]) + 1):
    rungs_trial.report(epoch, loss=abs(rungs_trial.params()["x"] - 0.3) + 1.0 / epoch)
)";

// A campaign tuning x in [0, 1] by successive halving (eta 3, epochs 1 to max_epochs) whose
// trial is `script`, run by python3; `trial_extra`: more lines under trial:.
std::string halving_campaign(const std::filesystem::path& script, int max_epochs, const std::string& trial_extra = "") {
  return fmt::format(R"(name: helper
metric: loss
space:
  x: {{type: float, low: 0, high: 1}}
budget: {{min: 1, max: {0}, dimensions: {{epochs: {{type: int, growth: continued, min: 1, max: {0}}}}}}}
scheduler: {{type: successive_halving, eta: 3, max_concurrent: 2}}
trial:
  command: [/usr/bin/python3, "{1}"]
{2})",
                     max_epochs, script.string(), trial_extra);
}

}  // namespace

TEST_CASE("a Python trial imports rungs_trial with no PYTHONPATH of its own, a trial's own PYTHONPATH comes first") {
  TempDir dir;
  // Far from the source tree: only the PYTHONPATH rungs sets can find the helper.
  write_file(dir.path() / "trial.py", std::string(R"(import os, sys
import rungs_trial
print("PYTHONPATH=" + os.environ["PYTHONPATH"], file=sys.stderr)
)") + kReportEpochs);
  write_file(dir.path() / "c.yaml", halving_campaign(dir.path() / "trial.py", 3, "  env: {PYTHONPATH: /opt/my-modules}\n"));
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  const auto stderr_log = read_file(dir.path() / "out/trials/0001/stderr.log");
  INFO(read_file(dir.path() / "log"), stderr_log);
  REQUIRE(code == 0);
  CHECK(read_file(dir.path() / "log").find("Best configuration") != std::string::npos);
  CHECK(stderr_log.find("PYTHONPATH=/opt/my-modules:") != std::string::npos);
  CHECK(stderr_log.find("share/rungs/python") != std::string::npos);
}

TEST_CASE("population-based training through rungs_trial.py: inherited_from() names the donor, checkpoint_path() holds its weights") {
  TempDir dir;
  // The checkpoint holds the epochs done and the learning rate they were trained with last.
  write_file(dir.path() / "trial.py", R"(import json, os, sys
import rungs_trial as rt
path = rt.checkpoint_path("state.json")
state = {"epoch": 0, "lrs": []}
if rt.resume() and os.path.exists(path):
    state = json.load(open(path))
donor = rt.inherited_from()
if donor is not None:
    print("inherited from %s after epoch %d" % (donor, state["epoch"]), file=sys.stderr)
lr = rt.params()["lr"]
for epoch in range(state["epoch"] + 1, int(rt.budget()["epochs"]) + 1):
    state["epoch"] = epoch
    state["lrs"].append(lr)
    json.dump(state, open(path, "w"))
    rt.report(epoch, loss=abs(lr - 0.01) + 1.0 / epoch)
)");
  write_file(dir.path() / "c.yaml", R"(name: pbt-python
seed: 2
metric: loss
space:
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}
budget:
  min: 1
  max: 6
  step: 1
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 6}
scheduler: {type: pbt, population: 4, interval: 2, max_concurrent: 2}
trial:
  command: [python3, "{campaign_dir}/trial.py"]
)");
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  INFO(read_file(dir.path() / "log"));
  REQUIRE(code == 0);
  std::size_t inherited = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path() / "out" / "trials")) {
    const auto record_file = entry.path() / "inherited.json";
    if (!std::filesystem::exists(record_file)) continue;
    ++inherited;
    const auto record = nlohmann::json::parse(read_file(record_file));
    CHECK(read_file(entry.path() / "stderr.log")
              .find(fmt::format("inherited from {} after epoch {}", record["from"].get<int>(),
                                static_cast<int>(record["units"].get<double>()))) != std::string::npos);
    // The learning rates its weights were trained with: the donor's for the copied epochs, then its own.
    const auto state = nlohmann::json::parse(read_file(entry.path() / "state.json"));
    CHECK(state["lrs"].back() == record["params"]["lr"]);
  }
  CHECK(inherited > 0);
}

TEST_CASE("resume_level() in rungs_trial.py: the level a resumed run's checkpoint holds, None on a first run") {
  TempDir dir;
  write_file(dir.path() / "trial.py", std::string(R"(import rungs_trial
with open("levels.txt", "a") as f:
    f.write(f"{rungs_trial.resume()} {rungs_trial.resume_level()}\n")
)") + kReportEpochs);
  write_file(dir.path() / "c.yaml", halving_campaign(dir.path() / "trial.py", 9));
  const int code = run_rungs({"run", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "log", dir.path());
  INFO(read_file(dir.path() / "log"));
  REQUIRE(code == 0);
  // Nine trials at level 0, three promoted to level 1, one to level 2: each run's line, in order.
  std::map<std::string, int> histories;
  for (const auto& trial : std::filesystem::directory_iterator(dir.path() / "out/trials"))
    ++histories[read_file(trial.path() / "levels.txt")];
  CHECK(histories["False None\n"] == 6);
  CHECK(histories["False None\nTrue 0\n"] == 2);
  CHECK(histories["False None\nTrue 0\nTrue 1\n"] == 1);
}

TEST_CASE("rungs_trial.py: a RUNGS_RESUME_LEVEL that is not a level is an error naming the variable") {
  TempDir dir;
  const auto command = fmt::format(
      "cd '{}' && RUNGS_RESUME_LEVEL=two PYTHONPATH='{}/client' python3 -c "
      "'import rungs_trial; rungs_trial.resume_level()' 2> err.txt",
      dir.path().string(), RUNGS_SOURCE_DIR);
  CHECK(std::system(command.c_str()) != 0);
  CHECK(read_file(dir.path() / "err.txt").find("ValueError: RUNGS_RESUME_LEVEL is not a level (0, 1, ...): 'two'") !=
        std::string::npos);
}
