#pragma once
// `rungs report DIR`: one self-contained HTML file (no network, no other files: it can be
// mailed or attached to an issue) with the campaign's learning curves, best so far against
// budget spent and against time, the bracket/rung funnel, parameter importance, parallel
// coordinates, a scatter per parameter, the workers' timeline, the failed runs, the best
// trials and a view per trial (report/report.js lists them).
//
// The file holds three things: the campaign's data as JSON (report_data(), report_data.hpp, in a
// <script type="application/json">), Chart.js 4 (vendored, report/vendor/) and report.js,
// which draws the charts from that data in the browser. Both scripts are embedded into the
// library at build time (report/assets.hpp).
//
// Size: about 240 KB of fixed cost (Chart.js is 210 KB) plus about 85 bytes per report,
// trials' parameters and runs included: 0.87 MB for 1,029 trials, 6.3 MB for 10,045 trials
// with 72,868 reports, which headless Chromium loads and draws in a few seconds
// (docs/benchmarks.md, bench-report-render).
#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "store/store.hpp"
#include "report/report_data.hpp"
#include "report/snapshot.hpp"

namespace rungs::report {

// The whole HTML document for the campaign in `store`.
std::string render_html_report(const store::CampaignStore& store, const ReportDataOptions& options = {});

// Writes render_html_report() to `file` (replaced atomically: written beside it, renamed).
// Throws std::runtime_error naming the file if it cannot.
void write_html_report(const store::CampaignStore& store, const std::filesystem::path& file,
                       const ReportDataOptions& options = {});

}  // namespace rungs::report
