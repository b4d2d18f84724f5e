// Parameter importance (report/importance.hpp) on synthetic tables where the answer is known,
// and the report data's timeline lanes and stderr tails (report/report_data.hpp).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/importance.hpp"
#include "report/report_data.hpp"
#include "tests/campaign/test_support.hpp"

namespace {

using rungs::report::ImportanceParameter;
using rungs::report::ImportanceSample;

struct Table {
  std::vector<nlohmann::json> params;
  std::vector<double> values;
  std::vector<ImportanceSample> samples() const {
    std::vector<ImportanceSample> out;
    for (std::size_t i = 0; i < params.size(); ++i) out.push_back({&params[i], values[i]});
    return out;
  }
};

}  // namespace

TEST_CASE("importance: the one parameter that drives the value ranks first, noise near zero") {
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> unit(0, 1);
  std::normal_distribution<double> noise(0, 0.05);
  const std::vector<std::string> kinds = {"a", "b", "c"};
  Table table;
  for (int i = 0; i < 200; ++i) {
    const double lr = std::pow(10.0, -4 + 4 * unit(random));  // log-uniform 1e-4..1
    const double width = std::floor(8 + 120 * unit(random));
    const auto kind = kinds[static_cast<std::size_t>(unit(random) * 3) % 3];
    table.params.push_back({{"lr", lr}, {"width", width}, {"kind", kind}});
    // The loss depends on lr only (a valley at 1e-2), plus noise; one diverged trial.
    table.values.push_back(std::pow(std::log10(lr) + 2, 2) + noise(random) + (i == 5 ? 1e30 : 0));
  }
  const std::vector<ImportanceParameter> parameters = {{"width", false}, {"lr", false}, {"kind", true}};
  const auto scores = rungs::report::parameter_importance(parameters, table.samples());
  REQUIRE(scores.size() == 3);
  CHECK(scores[1] > 0.8);   // lr explains most of the ranks' variance
  CHECK(scores[0] < 0.1);   // width: noise
  CHECK(scores[2] < 0.1);   // kind: noise
  CHECK(scores[1] > 5 * std::max(scores[0], scores[2]));
}

TEST_CASE("importance: a categorical that matters, an inactive parameter, too few samples, a constant value") {
  Table table;
  for (int i = 0; i < 60; ++i) {
    const bool sgd = i % 2 == 0;
    nlohmann::json params = {{"optimizer", sgd ? "sgd" : "adam"}, {"seed", i}};
    if (sgd) params["momentum"] = (i % 7) / 7.0;  // only active with sgd
    table.params.push_back(params);
    table.values.push_back((sgd ? 1.0 : 0.0) + 0.01 * (i % 5));
  }
  const std::vector<ImportanceParameter> parameters = {{"optimizer", true}, {"momentum", false}, {"seed", false}};
  const auto scores = rungs::report::parameter_importance(parameters, table.samples());
  REQUIRE(scores.size() == 3);
  // On ranks a perfect split into two halves explains 3/4 of the variance (group means n/4
  // and 3n/4 against ranks uniform on 1..n): the most a binary parameter can score.
  CHECK(scores[0] > 0.7);
  // momentum is inactive exactly when the optimizer is adam: its "inactive" group carries the
  // same split, which is what the data says.
  CHECK(scores[1] > 0.5);
  CHECK(scores[2] < 0.2);

  Table few;
  few.params = {table.params.begin(), table.params.begin() + 5};
  few.values = {table.values.begin(), table.values.begin() + 5};
  CHECK(rungs::report::parameter_importance(parameters, few.samples()).empty());

  Table flat = table;
  std::fill(flat.values.begin(), flat.values.end(), 1.0);
  for (const double score : rungs::report::parameter_importance(parameters, flat.samples())) CHECK(score == 0);
}

TEST_CASE("timeline lanes: overlapping runs never share a lane, and no more lanes than the busiest moment") {
  const std::vector<std::pair<double, double>> runs = {{0, 10}, {0, 5}, {5, 8}, {2, 3}, {10, 12}, {3, 20}, {11, 11.5}};
  const auto lanes = rungs::report::pack_lanes(runs);
  REQUIRE(lanes.size() == runs.size());
  for (std::size_t i = 0; i < runs.size(); ++i)
    for (std::size_t j = i + 1; j < runs.size(); ++j)
      if (lanes[i] == lanes[j]) CHECK((runs[i].second <= runs[j].first || runs[j].second <= runs[i].first));
  // At most 3 runs overlap at any moment (0-10, 0-5, 2-3 at t=2.5).
  CHECK(*std::max_element(lanes.begin(), lanes.end()) == 2);
  CHECK(lanes[0] == 0);
  CHECK(lanes[1] == 1);
  CHECK(lanes[2] == 1);  // 5-8 takes the lane 0-5 freed at 5
}

TEST_CASE("stderr tail: the last non-empty lines, a partial first line dropped, control characters escaped") {
  rungs::testing::TempDir dir;
  const auto file = dir.path() / "stderr.log";
  CHECK(rungs::report::stderr_tail(file).empty());
  {
    std::ofstream out(file);
    out << std::string(20000, 'x') << "\nfirst\n\nsecond \x1b[2J\nthird\n";
  }
  const auto tail = rungs::report::stderr_tail(file, 5);
  REQUIRE(tail.size() == 3);  // the 20,000-byte line starts before the last 16 KiB: dropped
  CHECK(tail[0] == "first");
  CHECK(tail[1] == "second \\x1B[2J");
  CHECK(tail[2] == "third");
  CHECK(rungs::report::stderr_tail(file, 1) == std::vector<std::string>{"third"});
}
