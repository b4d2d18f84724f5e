#include "report/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string_view>
#include <type_traits>
#include <variant>

#include "report/assets.hpp"
#include "report/status.hpp"

namespace rungs::report {

namespace {

namespace fs = std::filesystem;

// JSON inside <script>: "</script>" or "<!--" in a value (a failure message, a parameter
// choice) must not end the element, so '<', '>' and '&' become \u escapes, which JSON.parse
// reads back as the same characters.
std::string script_safe_json(const nlohmann::json& value) {
  const auto text = value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<') out += "\\u003c";
    else if (c == '>') out += "\\u003e";
    else if (c == '&') out += "\\u0026";
    else out += c;
  }
  return out;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// An embedded script must not contain its own end tag; checked here rather than trusted, so
// that a Chart.js update that breaks this fails the report tests, not a user's report.
std::string_view inline_script(std::string_view source, std::string_view name) {
  std::string lower(source);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.find("</script") != std::string::npos)
    throw std::logic_error(fmt::format("{} contains '</script' and cannot be inlined into the report", name));
  return source;
}

std::string licence_comment(std::string_view licence) {
  std::string text(licence);
  for (std::size_t at; (at = text.find("--")) != std::string::npos;) text.replace(at, 2, "- -");  // no "--" in comments
  return text;
}

constexpr const char* kTemplate = R"html(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="rungs report">
<title>rungs: {title}</title>
<style>
{css}</style>
<script>
{error_capture}</script>
</head>
<body data-rendered="false" data-curves="0">
<header>
<h1>{title}</h1>
<p class="note">{subtitle} <span id="refresh-note"></span></p>
</header>
<pre id="errors" class="errors" hidden></pre>
<section id="trial-view" class="trial-view" hidden></section>
<div id="cards" class="cards"></div>

<h2>Learning curves</h2>
<p class="note">{metric} against the step of each report, one line per trial. Stopped trials (the scheduler or a stopping rule ended them) are dashed and grey, failed ones red and dotted; the best trial is the thick green line.</p>
<div id="curves-controls" class="controls"></div>
<div class="chart"><canvas id="curves"></canvas></div>
<p id="curves-legend" class="legend"></p>

<h2>Best so far against budget spent</h2>
<p class="note">Per budget level, the best {metric} of the runs that reached that level, against the budget spent until then (each run's cost as the campaign charged it: a promotion that resumes from its checkpoint pays the increment).</p>
<div id="progress-controls" class="controls"></div>
<div class="chart"><canvas id="progress"></canvas></div>

<h2>Best so far against time</h2>
<p class="note">The campaign's best {metric} as it stood at each moment (one line, by the campaign's own rule: a run that reached a higher budget level replaces the best even with a worse value).</p>
<div class="chart small"><canvas id="progress-time"></canvas></div>

<section id="pareto-section" hidden>
<h2>Pareto front</h2>
<p class="note">The first two objectives of every trial's latest feasible run; the front (non-dominated runs at the highest level reached) in red.</p>
<div class="chart"><canvas id="pareto"></canvas></div>
</section>

<h2>Brackets and rungs</h2>
<p class="note">Per bracket, how many trials reached each budget level: successive halving keeps the best of each rung. The tooltip shows the states of the trials whose highest level it is.</p>
<div class="chart small"><canvas id="rungs"></canvas></div>

<h2>Parameter importance</h2>
<p class="note">Per budget level, how much of the spread of the finished trials' {metric} each parameter explains on its own: fANOVA's main-effect variance fraction (Hutter et al., ICML 2014) estimated over quantile bins of the parameter (choices for a categorical) as Kelley's unbiased epsilon squared of the values' ranks. Interactions are not counted; near 0 means no visible effect alone.</p>
<div id="importance-controls" class="controls"></div>
<div class="chart small"><canvas id="importance"></canvas></div>

<h2>Parallel coordinates</h2>
<p class="note">The finished trials of one budget level: one line per trial through each parameter's axis (between the space's bounds; log parameters on a log axis, categoricals at their choices) and its {metric}. Click a line for its trial.</p>
<div id="parallel-controls" class="controls"></div>
<div class="chart"><canvas id="parallel"></canvas></div>

<h2>Parameters</h2>
<p class="note">Each parameter against the trial's {metric} at the highest level it finished a run at (values at different levels are coloured apart: they are not comparable). Hollow points: trials with no finished run yet, at their last reported value.</p>
<div id="parameters" class="grid"></div>

<h2>Workers' timeline</h2>
<p class="note">Each run from its launch to its end, by how it ended. The store records no worker slot, so the lanes are derived: each run, in order of launch, takes the lowest lane free by then (as many lanes as runs were out at once).</p>
<div class="chart"><canvas id="timeline"></canvas></div>

<section id="lineage-section">
<h2>Population-based training: lineage</h2>
<p class="note">Each member's row: the trials it trained, over the budget (a member that copies another's checkpoint becomes a new trial there). Red: a copy, from the donor's member to the member, at the budget the donor's weights had. Click a trial.</p>
<div class="chart"><canvas id="lineage"></canvas></div>
</section>

<h2>Failures</h2>
<div id="failures"></div>

<h2>Best trials</h2>
<p class="note">Click a trial for its curve, parameters and runs.</p>
<div id="best-table" class="table-wrap"></div>

<footer>Written by rungs from {database}. Charts by Chart.js (MIT licence, included in this file).</footer>
<!-- Chart.js licence:
{chart_licence}-->
<script type="application/json" id="rungs-data">{data}</script>
<script>
{chart_js}
</script>
<script>
{report_js}</script>
</body>
</html>
)html";

}  // namespace

std::string render_html_report(const store::CampaignStore& store, const ReportDataOptions& options) {
  const auto snapshot = load_snapshot(store, SnapshotOptions{.curves = true});
  const auto& info = snapshot.info;
  const auto subtitle = fmt::format(
      "{} trials, {} runs, metric {} ({}), {}{}; campaign started {}, elapsed {}{}.", snapshot.trials.size(),
      snapshot.runs.size(), info.metric, info.direction == "max" ? "maximized" : "minimized",
      info.mode == "simulate" ? "simulated" : "real trials", snapshot.failed    ? ", failed: " + *snapshot.failed
      : snapshot.finished ? std::string(", finished")
                          : std::string(", not finished"),
      info.created_at, format_duration(snapshot.elapsed), info.mode == "simulate" ? " (virtual)" : "");
  return fmt::format(fmt::runtime(kTemplate), fmt::arg("title", html_escape(info.name)), fmt::arg("subtitle", html_escape(subtitle)),
                     fmt::arg("metric", html_escape(info.metric)), fmt::arg("css", assets::report_css),
                     fmt::arg("error_capture", inline_script(assets::error_capture_js, "error_capture.js")),
                     fmt::arg("database", html_escape((store.directory() / store::CampaignStore::kFileName).string())),
                     fmt::arg("chart_licence", licence_comment(assets::chart_js_license)),
                     fmt::arg("data", script_safe_json(report_data(snapshot, options))),
                     fmt::arg("chart_js", inline_script(assets::chart_js, "Chart.js")),
                     fmt::arg("report_js", inline_script(assets::report_js, "report.js")));
}

void write_html_report(const store::CampaignStore& store, const fs::path& file, const ReportDataOptions& options) {
  const auto html = render_html_report(store, options);
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  const fs::path partial = file.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << html;
    out.flush();
    if (!out) throw std::runtime_error(fmt::format("cannot write '{}'", partial.string()));
  }
  fs::rename(partial, file);
}

}  // namespace rungs::report
