// What rungs prints to a terminal about a campaign (the live progress line, the summary, errors): text from the
// campaign file or from trials (the metric's name, report keys) is shown with its control
// characters escaped, never obeyed by the terminal.
#include <doctest/doctest.h>

#include <string>

#include "campaign/progress_line.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;

TEST_CASE("progress line: a metric name holding control characters is printed escaped") {
  campaign::ProgressSnapshot snapshot;
  snapshot.metric = "loss\x1b]52;c;aGk=\x07\x1b[2J";
  snapshot.best = 0.25;
  snapshot.best_trial = 3;
  const auto line = campaign::format_progress(snapshot);
  CHECK(line.find('\x1b') == std::string::npos);
  CHECK(line.find('\x07') == std::string::npos);
  CHECK(line.find("best loss\\x1B]52;c;aGk=\\x07\\x1B[2J 0.25 (trial 3)") != std::string::npos);
}

TEST_CASE("rungs run: the metric's name from the campaign file reaches the output escaped") {
  TempDir dir;
  // YAML's "\e" is ESC: a name that clears the screen when printed raw.
  write_file(dir.path() / "c.yaml", R"(name: escapes
metric: {name: "lo\e[2Jss\u0007", mode: min}
space:
  x: {type: float, low: 0.0, high: 1.0}
budget: {min: 1, max: 3}
scheduler: {type: successive_halving, eta: 3, max_concurrent: 2}
trial:
  command: [fake_trial, report, "2"]
)");
  const auto log = dir.path() / "run.log";
  REQUIRE(run_rungs({"run", "c.yaml", "--output", (dir.path() / "out").string()}, log, dir.path()) == 3);  // no trial reports that metric
  const auto text = read_file(log);
  CHECK(text.find("lo\\x1B[2Jss\\x07") != std::string::npos);  // the final progress line and the summary
  CHECK(text.find('\x1b') == std::string::npos);
  CHECK(text.find('\x07') == std::string::npos);
}

TEST_CASE("rungs validate: an error naming a key from the file prints its control characters escaped") {
  TempDir dir;
  write_file(dir.path() / "c.yaml", R"(name: escapes
metric: loss
"sp\e[2Jace": {}
space:
  x: {type: float, low: 0.0, high: 1.0}
budget: {min: 1, max: 3}
scheduler: {type: successive_halving, eta: 3}
trial:
  command: [fake_trial, report, "2"]
)");
  const auto log = dir.path() / "validate.log";
  CHECK(run_rungs({"validate", "c.yaml"}, log, dir.path()) == 2);
  const auto text = read_file(log);
  CHECK(text.find("sp\\x1B[2Jace") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
}
