#pragma once
// What a report page must satisfy beyond "no error", checked in the page itself: a copy of
// the report with a script appended after report.js, which writes its findings as JSON into a
// <pre id="chart-check"> that the DOM dump shows.
//  - every Chart.js chart: each data point (a y of null is a gap, not a point) has an element
//    drawn at a finite pixel inside the chart's area (one pixel of slack for anti-aliasing);
//  - optionally a click: a real mouse click on the canvas of chart `click_canvas` at the
//    pixel of its dataset 0's point 0, then, after Chart.js (which handles events on the next
//    animation frame) and the hashchange ran, the location's hash and the trial view's text.
// Needs Chromium's --virtual-time-budget so that the timers run before the dump.
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

namespace rungs::testing {

inline const char* kChartCheckScript = R"js(
(function () {
  var report = [];
  Object.keys(Chart.instances).forEach(function (key) {
    var chart = Chart.instances[key];
    var area = chart.chartArea;
    var found = { id: chart.canvas.id, type: chart.config.type, points: 0, drawn: 0, outside: [] };
    chart.data.datasets.forEach(function (dataset, d) {
      var meta = chart.getDatasetMeta(d);
      dataset.data.forEach(function (raw, i) {
        if (raw === null || raw === undefined) return;
        if (typeof raw === "object" && (raw.y === null || raw.x === null)) return;
        found.points++;
        var el = meta.data[i];
        var ok = el && isFinite(el.x) && isFinite(el.y) && el.x >= area.left - 1 && el.x <= area.right + 1 &&
                 el.y >= area.top - 1 && el.y <= area.bottom + 1;
        if (ok) found.drawn++;
        else if (found.outside.length < 5) found.outside.push({ dataset: d, index: i, raw: raw, x: el ? el.x : null, y: el ? el.y : null,
                                                                area: [area.left, area.right, area.top, area.bottom] });
      });
    });
    report.push(found);
  });
  var out = document.createElement("pre");
  out.id = "chart-check";
  out.textContent = JSON.stringify(report);
  document.body.appendChild(out);

  var target = CLICK_CANVAS;
  if (!target) return;
  var chart = Object.keys(Chart.instances).map(function (k) { return Chart.instances[k]; })
                    .find(function (c) { return c.canvas.id === target; });
  var click = document.createElement("pre");
  click.id = "click-check";
  document.body.appendChild(click);
  if (!chart) { click.textContent = JSON.stringify({ error: "no chart " + target }); return; }
  var point = chart.getDatasetMeta(0).data[0];
  var raw = chart.data.datasets[0].data[0];
  var box = chart.canvas.getBoundingClientRect();
  chart.canvas.scrollIntoView();
  box = chart.canvas.getBoundingClientRect();
  var init = { clientX: box.left + point.x, clientY: box.top + point.y, bubbles: true };
  chart.canvas.dispatchEvent(new MouseEvent("mousemove", init));
  chart.canvas.dispatchEvent(new MouseEvent("click", init));
  setTimeout(function () {
    var view = document.getElementById("trial-view");
    click.textContent = JSON.stringify({ expected: raw.trial !== undefined ? raw.trial : chart.data.datasets[0].trial, hash: location.hash,
                                         hidden: view.hidden, view: view.textContent, curve: !!document.getElementById("trial-curve") });
  }, 1000);
})();
)js";

// The report's HTML with the check script appended; `click_canvas` empty: no click.
inline std::string with_chart_check(std::string html, const std::string& click_canvas = "") {
  std::string script = kChartCheckScript;
  script = std::regex_replace(script, std::regex("CLICK_CANVAS"), click_canvas.empty() ? "null" : "\"" + click_canvas + "\"");
  const auto end = html.rfind("</body>");
  html.insert(end == std::string::npos ? html.size() : end, "<script>" + script + "</script>\n");
  return html;
}

// The JSON text of <pre id="ID"> in a dumped DOM (HTML-escaped there), or null.
inline nlohmann::json dumped_json(const std::string& dom, const std::string& id) {
  std::smatch match;
  if (!std::regex_search(dom, match, std::regex("<pre id=\"" + id + "\">([^<]*)</pre>"))) return nullptr;
  std::string text = match[1];
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"&quot;", "\""}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
    text = std::regex_replace(text, std::regex(from), to);
  return nlohmann::json::parse(text, nullptr, false);
}

}  // namespace rungs::testing
