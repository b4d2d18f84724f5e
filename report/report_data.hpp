#pragma once
// The data the HTML report draws (report/html_report.hpp embeds it as JSON; report.js reads
// it), worked out from one CampaignSnapshot. Rows that can number in the tens of thousands
// (runs) are arrays of arrays with their column names once, so that a 10,000-trial campaign
// stays a few megabytes; numbers are rounded to 6 significant digits, which no plot can tell
// apart.
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/snapshot.hpp"

namespace rungs::report {

struct ReportDataOptions {
  // `rungs report --watch SECS`: the page reloads itself every SECS seconds (keeping its
  // scroll position and the open trial view). Empty: a report of a moment, never reloaded.
  std::optional<double> refresh_seconds;
  // Failed runs listed with their stderr tail (the first ones, in run order); the count of
  // all of them is in the data too.
  std::size_t max_failures = 200;
};

// What report.js draws:
//  - campaign (summary numbers, `refresh` seconds or null), best, levels;
//  - parameters (name, type, log scale, low/high, choices: as the campaign recorded its
//    space, else guessed from the values);
//  - trials, curves (per trial with reports: x = steps, y = values, levels);
//  - ends (runs that reached their budget, in the order they ended, with the budget spent and
//    the campaign time then) and rungs;
//  - runs: {columns, rows}: each run with its launch and end time, its timeline lane (greedy
//    interval packing, pack_lanes(): the store records no worker slot) and how it ended
//    ("completed", "stopped", "paused", "failed", "running");
//  - failures: {count, rows}: failed runs with how they ended and their trial's stderr tail;
//  - importance: per budget level with enough finished trials, report/importance.hpp.
// The snapshot must have been loaded with curves.
nlohmann::json report_data(const CampaignSnapshot& snapshot, const ReportDataOptions& options = {});

// Lanes for intervals (start, end) so that no two overlapping ones share a lane, using as few
// lanes as the busiest moment needs: each interval, in order of start, takes the lowest lane
// free by then (an interval ending at t frees its lane for one starting at t). Returns the
// lane of each interval, in the input's order.
std::vector<std::size_t> pack_lanes(const std::vector<std::pair<double, double>>& intervals);

// How a failed run ended, in words: "exit code 2", "killed by signal 9", "timed out (signal
// 15)", followed by the failure text the campaign recorded when it says more.
std::string describe_run_end(const RunSummary& run);

// The last `count` non-empty lines of a trial's stderr.log (DIR/trials/0007/stderr.log, from
// its last 16 KiB), control characters escaped (text/safe_text.hpp) and each cut at 300 bytes;
// empty when the file is missing (simulations write none).
std::vector<std::string> stderr_tail(const std::filesystem::path& file, std::size_t count = 5);

}  // namespace rungs::report
