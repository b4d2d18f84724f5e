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

// Six significant digits: plots cannot show more, and the file gets a third smaller.
double round6(double value) {
  if (!std::isfinite(value) || value == 0) return value;
  return std::stod(fmt::format("{:.6g}", value));
}

nlohmann::json optional_number(const std::optional<double>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

// The space the campaign recorded when it was created (store/records.hpp).
nlohmann::json parameters_from_space(const std::vector<store::ParameterInfo>& space) {
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& parameter : space) {
    nlohmann::json entry = {{"name", parameter.name}, {"type", parameter.type}, {"log", parameter.log}};
    if (parameter.type == "categorical") entry["choices"] = parameter.choices;
    // The prior's centre (issue 14), marked on the parameter's scatter plot.
    if (parameter.prior.is_object() && parameter.prior.contains("center")) entry["prior_center"] = parameter.prior["center"];
    parameters.push_back(std::move(entry));
  }
  return parameters;
}

// Without a recorded space (a store of schema 1): a parameter with any text value is categorical, one whose
// positive values span two decades or more is shown on a log scale.
nlohmann::json parameters_from_values(const CampaignSnapshot& snapshot) {
  std::map<std::string, std::vector<const nlohmann::json*>> values;
  for (const auto& trial : snapshot.trials)
    for (const auto& [name, value] : trial.params.items()) values[name].push_back(&value);
  nlohmann::json parameters = nlohmann::json::array();
  for (const auto& [name, list] : values) {
    const bool text = std::any_of(list.begin(), list.end(), [](const nlohmann::json* v) { return !v->is_number(); });
    if (text) {
      std::set<std::string> choices;
      for (const auto* value : list) choices.insert(value->is_string() ? value->get<std::string>() : value->dump());
      parameters.push_back({{"name", name}, {"type", "categorical"}, {"log", false}, {"choices", choices}});
      continue;
    }
    double low = INFINITY, high = -INFINITY;
    for (const auto* value : list) low = std::min(low, value->get<double>()), high = std::max(high, value->get<double>());
    parameters.push_back({{"name", name}, {"type", "float"}, {"log", low > 0 && high / low >= 100}});
  }
  return parameters;
}

// Runs that reached their budget (neither stopped early nor failed), in the order they
// ended, each with the budget handed out until it ended (null from the first launch whose
// cost is unknown on).
nlohmann::json run_ends(const CampaignSnapshot& snapshot) {
  std::vector<const RunSummary*> launched;
  for (const auto& run : snapshot.runs) launched.push_back(&run);
  std::stable_sort(launched.begin(), launched.end(),
                   [](const RunSummary* a, const RunSummary* b) { return a->launched < b->launched; });
  std::vector<std::optional<double>> spent_after;  // budget spent once the first i+1 runs were launched
  std::optional<double> total = 0.0;
  for (const auto* run : launched) {
    if (total && run->charged) *total += *run->charged;
    else total.reset();
    spent_after.push_back(total);
  }

  std::vector<const RunSummary*> ended;
  for (const auto& run : snapshot.runs)
    if (run.ended && run.value && !run.stopped_by_scheduler && !run.failed) ended.push_back(&run);
  std::stable_sort(ended.begin(), ended.end(), [](const RunSummary* a, const RunSummary* b) { return *a->ended < *b->ended; });

  nlohmann::json ends = nlohmann::json::array();
  for (const auto* run : ended) {
    const auto count = std::upper_bound(launched.begin(), launched.end(), *run->ended,
                                        [](double time, const RunSummary* r) { return time < r->launched; }) -
                       launched.begin();
    const auto spent = count > 0 ? spent_after[static_cast<std::size_t>(count - 1)] : std::optional<double>(0.0);
    ends.push_back({{"spent", optional_number(spent ? std::optional(round6(*spent)) : std::nullopt)}, {"time", round6(*run->ended)}, {"trial", run->trial},
                    {"level", run->level}, {"value", *run->value}});
  }
  return ends;
}

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
<p class="note">{subtitle}</p>
</header>
<pre id="errors" class="errors" hidden></pre>
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

<h2>Brackets and rungs</h2>
<p class="note">Per bracket, how many trials reached each budget level: successive halving keeps the best of each rung. The tooltip shows the states of the trials whose highest level it is.</p>
<div class="chart small"><canvas id="rungs"></canvas></div>

<h2>Parameters</h2>
<p class="note">Each parameter against the trial's {metric} at the highest level it finished a run at (values at different levels are coloured apart: they are not comparable). Hollow points: trials with no finished run yet, at their last reported value.</p>
<div id="parameters" class="grid"></div>

<h2>Best trials</h2>
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

nlohmann::json report_data(const CampaignSnapshot& snapshot) {
  const auto& info = snapshot.info;
  nlohmann::json states = nlohmann::json::object();
  for (const auto& [state, count] : snapshot.states) states[state] = count;
  nlohmann::json data = {
      {"campaign",
       {{"name", info.name},
        {"mode", info.mode},
        {"metric", info.metric},
        {"direction", info.direction},
        {"created_at", info.created_at},
        {"elapsed", snapshot.elapsed},
        {"elapsed_text", format_duration(snapshot.elapsed)},
        {"finished", snapshot.finished},
        {"failed", snapshot.failed ? nlohmann::json(*snapshot.failed) : nlohmann::json()},
        {"budget_spent", optional_number(snapshot.budget_spent ? std::optional(round6(*snapshot.budget_spent)) : std::nullopt)},
        {"trials", snapshot.trials.size()},
        {"runs", snapshot.runs.size()},
        {"runs_out", snapshot.runs_out},
        {"reports", snapshot.reports},
        {"warnings", snapshot.warnings},
        {"states", states}}}};

  data["best"] = nullptr;
  if (snapshot.best) {
    const auto& best = *snapshot.best;
    data["best"] = {{"trial", best.trial}, {"level", best.level}, {"value", best.value},
                    {"params", best.params}, {"budget", best.budget}};
  }

  data["levels"] = nlohmann::json::array();
  for (const auto& [level, level_info] : snapshot.levels)
    data["levels"].push_back({{"level", level}, {"units", level_info.units}, {"budget", level_info.budget}});

  data["parameters"] =
      snapshot.info.space.empty() ? parameters_from_values(snapshot) : parameters_from_space(snapshot.info.space);

  data["trials"] = nlohmann::json::array();
  for (const auto& trial : snapshot.trials) {
    const auto final = trial.final_value();
    data["trials"].push_back({{"trial", trial.trial},
                              {"bracket", trial.bracket},
                              {"state", trial.state},
                              {"level", trial.level},
                              {"params", trial.params},
                              {"final", final ? nlohmann::json::array({final->first, final->second}) : nlohmann::json()},
                              {"last", optional_number(trial.last_value)},
                              {"failure", trial.failure ? nlohmann::json(*trial.failure) : nlohmann::json()}});
  }

  std::map<std::int64_t, const std::string*> state_of;
  for (const auto& trial : snapshot.trials) state_of[trial.trial] = &trial.state;
  data["curves"] = nlohmann::json::array();
  for (const auto& curve : snapshot.curves) {
    nlohmann::json x = nlohmann::json::array(), y = nlohmann::json::array();
    for (std::size_t i = 0; i < curve.steps.size(); ++i) {
      x.push_back(round6(curve.steps[i]));
      y.push_back(round6(curve.values[i]));
    }
    const auto state = state_of.find(curve.trial);
    data["curves"].push_back({{"trial", curve.trial},
                              {"state", state == state_of.end() ? std::string("running") : *state->second},
                              {"x", std::move(x)},
                              {"y", std::move(y)}});
  }

  data["ends"] = run_ends(snapshot);

  data["rungs"] = nlohmann::json::array();
  for (const auto& rung : snapshot.rungs) {
    nlohmann::json rung_states = nlohmann::json::object();
    for (const auto& [state, count] : rung.states) rung_states[state] = count;
    data["rungs"].push_back({{"bracket", rung.bracket}, {"level", rung.level}, {"reached", rung.reached},
                             {"states", rung_states}});
  }
  return data;
}

std::string render_html_report(const store::CampaignStore& store) {
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
                     fmt::arg("data", script_safe_json(report_data(snapshot))),
                     fmt::arg("chart_js", inline_script(assets::chart_js, "Chart.js")),
                     fmt::arg("report_js", inline_script(assets::report_js, "report.js")));
}

void write_html_report(const store::CampaignStore& store, const fs::path& file) {
  const auto html = render_html_report(store);
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
