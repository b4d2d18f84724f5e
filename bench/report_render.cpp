// bench-report-render: size of `rungs report`'s HTML and how long headless Chromium takes to
// load and draw it, for simulated campaigns of about 1,000 and 10,000 trials.
//
// Campaign: bench/simulated_campaign.hpp's space (5 parameters, a conditional pair), epochs
// 1..27 (continued), synchronous Hyperband eta 3 (49 trials an iteration), random search,
// 8 virtual workers, epoch 2 virtual seconds, a 100 s timeout that fails the slowest top runs (54 s on average)
// (so the failures table has rows); iterations = ceil(trials / 49). Simulated into --dir (by
// default a scratch directory under /dev/shm, removed after), then:
//  - write: the time report::report_command takes (read the store, build the data, write);
//  - size: of report.html;
//  - draw: report.js's own parse + draw time (<body data-render-ms>, set with
//    data-rendered="true" once every chart is drawn); load + draw, the same moment from the
//    start of the page's navigation (data-drawn-at-ms: reading the file, compiling Chart.js
//    included); and Chromium's whole run (its start, load, draw and DOM dump) measured from
//    outside; median of --repeats runs.
// Checks that the page rendered with no error (#errors empty) and fails otherwise.
//
//   cmake --build build --target bench-report-render && build/bin/bench-report-render [--trials 1000,10000] [--repeats 3]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "bench/simulated_campaign.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "campaign/simulation.hpp"
#include "report/commands.hpp"
#include "tests/report/headless_chromium.hpp"

namespace fs = std::filesystem;

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? NAN : values[values.size() / 2];
}

std::string body_attribute(const std::string& dom, const std::string& name) {
  std::smatch match;
  const auto head_end = dom.find("</head>");
  const std::string body = head_end == std::string::npos ? dom : dom.substr(head_end, 2000);
  if (std::regex_search(body, match, std::regex(name + "=\"([^\"]*)\""))) return match[1];
  return {};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Size and headless-Chromium draw time of rungs report at 1,000 and 10,000 trials"};
  std::vector<int> sizes = {1000, 10000};
  int repeats = 3;
  std::string keep;
  app.add_option("--trials", sizes, "Campaign sizes (trials, rounded up to whole Hyperband iterations)")->delimiter(',');
  app.add_option("--repeats", repeats, "Chromium runs per size (median)")->check(CLI::PositiveNumber);
  app.add_option("--keep", keep, "Keep the campaigns and reports under this directory");
  CLI11_PARSE(app, argc, argv);
  if (!rungs::testing::chromium_path()) {
    fmt::print(stderr, "chromium is not installed (apt-get install chromium)\n");
    return 1;
  }
  const fs::path base = keep.empty() ? rungs::bench::scratch_base() / fmt::format("rungs-bench-report-{}", ::getpid()) : fs::path(keep);
  fs::create_directories(base);

  fmt::print("| trials | runs | reports | failed runs | report.html | write (s) | report.js parse + draw (ms) | load + draw (ms) | Chromium run (s) |\n");
  fmt::print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  int status = 0;
  std::vector<std::string> parts;  // report.js's time per part (ms), from <body data-timings>
  for (const int trials : sizes) {
    const int iterations = (trials + 48) / 49;
    const auto yaml = rungs::bench::simulated_campaign_yaml(
                          fmt::format("report-{}", trials),
                          "{min: 1, max: 27, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 27}}}",
                          fmt::format("{{type: hyperband, eta: 3, max_concurrent: 8, iterations: {}}}", iterations), "random", 1) +
                      "  timeout: 100s\n";
    const auto dir = base / fmt::format("c{}", trials);
    fs::remove_all(dir);
    auto spec = rungs::campaign::parse_campaign(yaml, "campaign.yaml", base);
    auto scheduler = rungs::campaign::make_scheduler(spec);
    rungs::campaign::SimulationOptions simulation;
    simulation.seed = 1;
    simulation.epoch_seconds = 2;
    rungs::campaign::run_simulation(spec, *scheduler, simulation, dir);

    const auto started = std::chrono::steady_clock::now();
    const auto html = rungs::report::report_command(dir);
    const double write = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const auto data_size = fs::file_size(html);

    std::vector<double> draw_ms, drawn_at_ms, chromium_s;
    std::string errors, timings;
    for (int i = 0; i < repeats; ++i) {
      const auto scratch = base / fmt::format("chromium-{}-{}", trials, i);
      fs::create_directories(scratch);
      const auto run = rungs::testing::dump_dom("file://" + fs::absolute(html).string(), scratch, std::chrono::seconds(300));
      fs::remove_all(scratch);
      if (!run.finished || body_attribute(run.dom, "data-rendered") != "true") {
        errors = "did not render";
        break;
      }
      std::smatch match;
      if (std::regex_search(run.dom, match, std::regex("<pre id=\"errors\"[^>]*>([^<]+)</pre>"))) errors = match[1];
      draw_ms.push_back(std::stod(body_attribute(run.dom, "data-render-ms")));
      drawn_at_ms.push_back(std::stod(body_attribute(run.dom, "data-drawn-at-ms")));
      if (i == 0) timings = body_attribute(run.dom, "data-timings");
      chromium_s.push_back(run.seconds);
    }
    // Counts from the data the page drew.
    const auto text = rungs::testing::detail::slurp(html);
    auto count = [&](const std::string& key) {
      std::smatch match;
      return std::regex_search(text, match, std::regex("\"" + key + "\":(\\d+)")) ? std::stol(match[1]) : -1L;
    };
    std::smatch failed;
    const long failed_runs =
        std::regex_search(text, failed, std::regex("\"failures\":\\{\"count\":(\\d+)")) ? std::stol(failed[1]) : -1L;
    fmt::print("| {} | {} | {} | {} | {:.2f} MB | {:.2f} | {:.0f} | {:.0f} | {:.2f} |\n", count("trials"), count("runs"),
               count("reports"), failed_runs, static_cast<double>(data_size) / 1e6, write, median(draw_ms), median(drawn_at_ms),
               median(chromium_s));
    parts.push_back(fmt::format("{} trials: {}", count("trials"), std::regex_replace(timings, std::regex("&quot;"), "\"")));
    if (!errors.empty()) {
      fmt::print(stderr, "the {}-trial report did not render cleanly: {}\n", trials, errors);
      status = 1;
    }
  }
  fmt::print("\nreport.js per part (ms, first run):\n");
  for (const auto& line : parts) fmt::print("  {}\n", line);
  if (keep.empty()) fs::remove_all(base);
  return status;
}
