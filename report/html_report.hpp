#pragma once
// `rungs report DIR`: one self-contained HTML file (no network, no other files: it can be
// mailed or attached to an issue) with the campaign's learning curves, best so far against
// budget spent, the bracket/rung funnel, a scatter per parameter and the best trials.
//
// The file holds three things: the campaign's data as JSON (report_data() below, in a
// <script type="application/json">), Chart.js 4 (vendored, report/vendor/) and report.js,
// which draws the charts from that data in the browser. Both scripts are embedded into the
// library at build time (report/assets.hpp).
//
// Size: about 240 KB of fixed cost (Chart.js is 210 KB) plus about 50 bytes per report,
// trials' parameters included: 720 KB for 1,035 trials with 10,157 reports, which headless
// Chromium loads and draws in about 1.5 s. Values are rounded to 6 significant digits, which
// no plot can tell apart.
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
