// rungs report: draws a campaign from the JSON that html_report.cpp embeds (#rungs-data,
// report/report_data.hpp), with Chart.js (inlined before this script):
//   1. learning curves: the metric against the step, one line per trial; stopped trials
//      dashed and grey, failed ones red and dotted, the best trial thick on top;
//   2. best so far: per budget level against budget spent, and one overall line (the
//      campaign's best by its own rule: highest level first) against campaign time;
//   3. rungs: per bracket, how many trials reached each budget level (the halving funnel);
//   4. parameter importance per budget level (report/importance.hpp) as bars;
//   5. parallel coordinates of the finished trials of one level, coloured by the metric;
//   6. one scatter per parameter: its value against the trial's value at the highest level
//      it finished, coloured by that level, with the prior's centre dashed when it has one;
//   7. workers' timeline: each run from launch to end on a lane, by how it ended;
//   8. failed runs with how they ended and their stderr tail; the best trials;
//   9. a view per trial (#trial-17: curve per level, parameters, runs, stderr tail), opened
//      by clicking a point or line of any chart or a trial number in a table.
// Chart.js assumes data sorted by x when `parsing: false` (it reads an axis' range from the
// first and last points and draws only the points between): only sorted series skip parsing.
// When done it sets <body data-rendered="true" data-curves="N"> (N learning curves drawn),
// data-render-ms (how long parsing the data and drawing took), data-drawn-at-ms (the same
// moment from the start of the page's navigation: load included) and data-timings (per part):
// tests/report/html_report_test.cpp reads them from headless Chromium's DOM.
(function () {
  "use strict";

  var started = performance.now();
  var data = JSON.parse(document.getElementById("rungs-data").textContent);
  var campaign = data.campaign;
  var metric = campaign.metric;
  var maximize = campaign.direction === "max";

  // Colours: Chart.js defaults are fine for a few series, not for a thousand; these stay
  // readable on white and distinguishable for the common colour-vision deficiencies.
  var palette = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#000000"];
  var stateStyle = {
    completed: { color: "rgba(0, 114, 178, 0.75)", dash: [], width: 1.2 },
    running: { color: "rgba(230, 159, 0, 0.95)", dash: [], width: 1.6 },
    waiting: { color: "rgba(204, 121, 167, 0.85)", dash: [], width: 1.2 },
    stopped: { color: "rgba(110, 117, 130, 0.35)", dash: [5, 4], width: 1 },
    failed: { color: "rgba(179, 38, 30, 0.7)", dash: [2, 3], width: 1 }
  };
  var bestStyle = { color: "#009e73", dash: [], width: 3 };

  Chart.defaults.animation = false;  // a thousand series: draw once, at once
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;

  function format(value) {
    if (value === null || value === undefined) return "-";
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : value.toPrecision(6).replace(/\.?0+(e|$)/, "$1");
    return String(value);
  }
  function describeBudget(budget) {
    return Object.keys(budget || {}).map(function (k) { return k + "=" + format(budget[k]); }).join(", ");
  }
  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (k) { node.setAttribute(k, attributes[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function allPositive(values) {
    return values.length > 0 && values.every(function (v) { return v > 0; });
  }
  // A "log scale" checkbox that switches a chart's axis, offered only where every value is
  // positive (losses usually are; their interesting part is often near zero).
  function logToggle(container, chart, axis, values, initially) {
    if (!allPositive(values)) return;
    var label = element("label");
    var box = element("input", { type: "checkbox" });
    box.checked = initially;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" log scale"));
    container.appendChild(label);
    function apply() {
      chart.options.scales[axis].type = box.checked ? "logarithmic" : "linear";
      chart.update();
    }
    box.addEventListener("change", apply);
    if (initially) apply();
  }
  function levelLabel(level) {
    var info = data.levels.find(function (l) { return l.level === level; });
    return "level " + level + (info ? " (" + format(info.units) + " units" + (describeBudget(info.budget) ? ": " + describeBudget(info.budget) : "") + ")" : "");
  }
  function levelColour(level) {
    return palette[level % palette.length];
  }

  // --- summary -----------------------------------------------------------------------------

  function card(label, value) {
    var node = element("div", { class: "card" });
    node.appendChild(element("div", { class: "label" }, label));
    node.appendChild(element("div", { class: "value" }, value));
    return node;
  }
  function drawSummary() {
    var cards = document.getElementById("cards");
    var states = ["running", "waiting", "stopped", "completed", "failed"].map(function (s) {
      return s + " " + (campaign.states[s] || 0);
    }).join(", ");
    cards.appendChild(card("trials", String(campaign.trials)));
    cards.appendChild(card("states", states));
    cards.appendChild(card("runs", campaign.runs + (campaign.runs_out ? " (" + campaign.runs_out + " out)" : "")));
    // null: some launch recorded no cost; the units are not the cost, so it is not guessed.
    cards.appendChild(card("budget spent", campaign.budget_spent === null ? "unknown" : format(campaign.budget_spent) + " units"));
    cards.appendChild(card("elapsed", campaign.elapsed_text + (campaign.mode === "simulate" ? " (virtual)" : "")));
    if (data.best) {
      cards.appendChild(card("best " + metric, format(data.best.value) + " (trial " + data.best.trial + ", level " + data.best.level + ")"));
    }
    if (campaign.warnings) cards.appendChild(card("warnings", String(campaign.warnings)));
    if (campaign.warm_start) cards.appendChild(card("warm start", warmStartText(campaign.warm_start)));
  }
  // What the past campaigns gave (report/warm_start_summary.hpp), as `rungs status` says it.
  function warmStartText(warm) {
    var parts = [warm.observations + " past observations", warm.first + " configurations tried first"];
    var sources = warm.sources.map(function (s) { return s.path + " (" + s.mode + ")"; });
    var text = parts.join(", ") + " from " + sources.join(", ");
    warm.narrowed.forEach(function (n) { text += "; " + n.parameter + " narrowed " + n.from + " -> " + n.to; });
    return text;
  }

  // --- 1. learning curves --------------------------------------------------------------------

  // Clicking a point or a line opens its trial's view (#trial-N).
  function openTrialOnClick(event, elements, chart) {
    if (!elements.length) return;
    var dataset = chart.data.datasets[elements[0].datasetIndex];
    var raw = dataset.data[elements[0].index];
    var trial = raw && raw.trial !== undefined ? raw.trial : dataset.trial;
    if (trial !== undefined) location.hash = "#trial-" + trial;
  }
  // One dataset per style (state, and the best trial), its curves one after the other with
  // a gap point (y null) between them: a thousand datasets cost Chart.js seconds, a handful
  // draw every curve of a 10,000-trial campaign at once.
  function drawCurves() {
    var bestTrial = data.best ? data.best.trial : null;
    var all = [];
    var groups = {};
    data.curves.forEach(function (curve) {
      var key = curve.trial === bestTrial ? "best" : (stateStyle[curve.state] ? curve.state : "completed");
      var group = groups[key] = groups[key] || { points: [], singles: [] };
      // A one-report trial would be invisible as a line: a dot, in a dataset of its own (a
      // per-point radius would make Chart.js resolve options point by point: seconds at 10,000).
      var list = curve.x.length === 1 ? group.singles : group.points;
      curve.x.forEach(function (x, i) {
        all.push(curve.y[i]);
        list.push({ x: x, y: curve.y[i], trial: curve.trial, state: curve.state });
      });
      if (list === group.points) group.points.push({ x: curve.x[curve.x.length - 1], y: null });
    });
    var order = { best: 0, running: 1, waiting: 1, completed: 1, failed: 1, stopped: 2 };  // lower order draws on top
    var datasets = [];
    Object.keys(groups).forEach(function (key) {
      var style = key === "best" ? bestStyle : stateStyle[key];
      var common = { label: key, borderColor: style.color, backgroundColor: style.color, pointHoverRadius: 3, order: order[key] };
      if (groups[key].points.length) {
        datasets.push(Object.assign({ data: groups[key].points, borderDash: style.dash, borderWidth: style.width, pointRadius: 0,
                                      spanGaps: false, tension: 0 }, common));
      }
      if (groups[key].singles.length) datasets.push(Object.assign({ data: groups[key].singles, showLine: false, pointRadius: 2 }, common));
    });
    var chart = new Chart(document.getElementById("curves"), {
      type: "line",
      data: { datasets: datasets },
      options: {
        onClick: openTrialOnClick,
        interaction: { mode: "nearest", intersect: false, axis: "xy" },
        scales: {
          x: { type: "linear", title: { display: true, text: "step" } },
          y: { type: "linear", title: { display: true, text: metric + " (" + campaign.direction + ")" } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) { return "trial " + c.raw.trial + " (" + c.raw.state + "): step " + format(c.parsed.x) + ", " + metric + " " + format(c.parsed.y); } } }
        }
      }
    });
    logToggle(document.getElementById("curves-controls"), chart, "y", all, false);
    var legend = document.getElementById("curves-legend");
    var shown = {};
    data.curves.forEach(function (c) { shown[c.state] = true; });
    Object.keys(stateStyle).forEach(function (state) {
      if (!shown[state]) return;
      var style = stateStyle[state];
      var item = element("span");
      var swatch = element("i");
      swatch.style.borderTop = style.width + 1 + "px " + (style.dash.length ? (style.dash[0] > 3 ? "dashed " : "dotted ") : "solid ") + style.color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(state));
      legend.appendChild(item);
    });
    if (bestTrial !== null) {
      var item = element("span");
      var swatch = element("i");
      swatch.style.borderTop = "3px solid " + bestStyle.color;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode("best (trial " + bestTrial + ")"));
      legend.appendChild(item);
    }
    return data.curves.length;
  }

  // --- 2. best so far against budget spent ---------------------------------------------------

  function drawProgress() {
    // Without a known budget spent, against campaign time instead (said on the axis).
    var byBudget = campaign.budget_spent !== null;
    var xEnd = byBudget ? campaign.budget_spent : campaign.elapsed;
    var xUnit = byBudget ? " units" : " s";
    var bestByLevel = {};
    var series = {};
    var all = [];
    data.ends.forEach(function (end) {
      var current = bestByLevel[end.level];
      if (current !== undefined && !(maximize ? end.value > current : end.value < current)) return;
      bestByLevel[end.level] = end.value;
      (series[end.level] = series[end.level] || []).push({ x: byBudget ? end.spent : end.time, y: end.value, trial: end.trial });
      all.push(end.value);
    });
    var datasets = Object.keys(series).map(Number).sort(function (a, b) { return a - b; }).map(function (level) {
      var points = series[level];
      var last = points[points.length - 1];
      // Hold the last best to the budget spent so far: nothing better came after it.
      if (xEnd > last.x) points = points.concat([{ x: xEnd, y: last.y, trial: last.trial, extension: true }]);
      return {
        label: levelLabel(level),
        data: points,
        borderColor: levelColour(level),
        backgroundColor: levelColour(level),
        stepped: "after",
        pointRadius: points.map(function (p) { return p.extension ? 0 : 3; }),
        borderWidth: 2,
        parsing: false
      };
    });
    var chart = new Chart(document.getElementById("progress"), {
      type: "line",
      data: { datasets: datasets },
      options: {
        onClick: openTrialOnClick,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", min: 0, title: { display: true, text: byBudget ? "budget spent (scheduler units)" : "campaign time (s): the budget spent is unknown (a launch recorded no cost)" } },
          y: { type: "linear", title: { display: true, text: "best " + metric + " so far" } }
        },
        plugins: {
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + metric + " " + format(c.parsed.y) + " (trial " + c.raw.trial + ") after " + format(c.parsed.x) + xUnit; } } }
        }
      }
    });
    logToggle(document.getElementById("progress-controls"), chart, "y", all, false);
  }

  // --- 3. brackets and rungs -------------------------------------------------------------------

  // Hyperband starts a bracket per level each iteration: beyond kMaxBrackets brackets, the
  // ones that start at the same level are summed ("brackets from level 1 (50)").
  var kMaxBrackets = 8;
  function drawRungs() {
    var levels = [];
    var first = {};  // bracket -> its lowest level
    data.rungs.forEach(function (r) {
      if (levels.indexOf(r.level) < 0) levels.push(r.level);
      first[r.bracket] = r.bracket in first ? Math.min(first[r.bracket], r.level) : r.level;
    });
    levels.sort(function (a, b) { return a - b; });
    var brackets = Object.keys(first).map(Number);
    var grouped = brackets.length > kMaxBrackets;
    var groupOf = function (r) { return grouped ? first[r.bracket] : r.bracket; };
    var groups = {};  // group -> level -> {reached, states}
    var members = {};
    data.rungs.forEach(function (r) {
      var g = groupOf(r);
      members[g] = members[g] || {};
      members[g][r.bracket] = true;
      var group = groups[g] = groups[g] || {};
      var cell = group[r.level] = group[r.level] || { reached: 0, states: {} };
      cell.reached += r.reached;
      Object.keys(r.states).forEach(function (k) { cell.states[k] = (cell.states[k] || 0) + r.states[k]; });
    });
    var datasets = Object.keys(groups).map(Number).sort(function (a, b) { return a - b; }).map(function (g, i) {
      var cells = levels.map(function (level) { return groups[g][level] || null; });
      return {
        label: grouped ? "brackets from level " + g + " (" + Object.keys(members[g]).length + ")" : "bracket " + g,
        backgroundColor: palette[i % palette.length],
        data: cells.map(function (c) { return c ? c.reached : null; }),
        rungs: cells
      };
    });
    new Chart(document.getElementById("rungs"), {
      type: "bar",
      data: { labels: levels.map(levelLabel), datasets: datasets },
      options: {
        scales: {
          x: { title: { display: true, text: "budget level" } },
          y: { title: { display: true, text: "trials that reached it" }, beginAtZero: true, ticks: { precision: 0 } }
        },
        plugins: {
          tooltip: {
            callbacks: {
              afterLabel: function (c) {
                var rung = c.dataset.rungs[c.dataIndex];
                if (!rung) return "";
                return Object.keys(rung.states).map(function (s) { return "  " + s + " here: " + rung.states[s]; }).join("\n");
              }
            }
          }
        }
      }
    });
  }

  // --- 4. parameters against values ----------------------------------------------------------

  // A small deterministic jitter for categorical values, so that points of one choice spread
  // out instead of hiding each other (a hash of the trial id: the same picture every time).
  function jitter(trial) {
    var h = Math.sin(trial * 12.9898) * 43758.5453;
    return (h - Math.floor(h) - 0.5) * 0.4;
  }
  function drawParameters() {
    var grid = document.getElementById("parameters");
    data.parameters.forEach(function (parameter, index) {
      var figure = element("figure");
      figure.appendChild(element("figcaption", {}, parameter.name + (parameter.log ? " (log scale)" : "")));
      var box = element("div", { class: "chart small" });
      var canvas = element("canvas", { id: "parameter-" + index });
      box.appendChild(canvas);
      figure.appendChild(box);
      grid.appendChild(figure);

      var categorical = parameter.type === "categorical";
      function x(value) {
        if (categorical) return parameter.choices.indexOf(String(value));
        return typeof value === "number" ? value : null;
      }
      var byLevel = {};
      var unfinished = [];
      data.trials.forEach(function (trial) {
        if (!(parameter.name in trial.params)) return;  // inactive for this trial
        var px = x(trial.params[parameter.name]);
        if (px === null || (categorical && px < 0)) return;
        if (categorical) px += jitter(trial.trial);
        if (trial.final) {
          (byLevel[trial.final[0]] = byLevel[trial.final[0]] || []).push({ x: px, y: trial.final[1], trial: trial.trial });
        } else if (trial.last !== null) {
          unfinished.push({ x: px, y: trial.last, trial: trial.trial });
        }
      });
      var datasets = Object.keys(byLevel).map(Number).sort(function (a, b) { return a - b; }).map(function (level) {
        return { label: "final at level " + level, data: byLevel[level], backgroundColor: levelColour(level), borderColor: levelColour(level), pointRadius: 3 };
      });
      if (unfinished.length) {
        datasets.push({ label: "no finished run (last value)", data: unfinished, backgroundColor: "rgba(0,0,0,0)", borderColor: "rgba(110, 117, 130, 0.6)", pointRadius: 3 });
      }
      // The prior's centre, if the parameter has a prior: a dashed vertical line over the points.
      var centre = "prior_center" in parameter ? x(parameter.prior_center) : null;
      if (centre !== null && !(categorical && centre < 0)) {
        var ys = [];
        datasets.forEach(function (d) { d.data.forEach(function (p) { ys.push(p.y); }); });
        if (ys.length) {
          datasets.push({ label: "prior centre", type: "line", data: [{ x: centre, y: Math.min.apply(null, ys) }, { x: centre, y: Math.max.apply(null, ys) }],
                          borderColor: "rgba(213, 94, 0, 0.9)", borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0 });
        }
      }
      var xScale = { type: parameter.log ? "logarithmic" : "linear", title: { display: true, text: parameter.name } };
      if (categorical) {
        xScale.min = -0.5;
        xScale.max = parameter.choices.length - 0.5;
        // One tick per choice, at its index (a linear scale would start its ticks at -0.5).
        xScale.afterBuildTicks = function (axis) {
          axis.ticks = parameter.choices.map(function (choice, i) { return { value: i }; });
        };
        xScale.ticks = { autoSkip: false, callback: function (v) { return parameter.choices[v]; } };
      }
      new Chart(canvas, {
        type: "scatter",
        data: { datasets: datasets },
        options: {
          onClick: openTrialOnClick,
          scales: { x: xScale, y: { title: { display: true, text: metric } } },
          plugins: {
            legend: { display: index === 0, labels: { boxWidth: 10 } },
            tooltip: {
              callbacks: {
                label: function (c) {
                  var shown = categorical ? parameter.choices[Math.round(c.raw.x)] : format(c.raw.x);
                  return "trial " + c.raw.trial + ": " + parameter.name + " " + shown + ", " + metric + " " + format(c.raw.y) + " (" + c.dataset.label + ")";
                }
              }
            }
          }
        }
      });
    });
  }

  // --- the best trials as a table --------------------------------------------------------------

  // Trials with a final value, best first: highest level, then value (snapshot.hpp's rule).
  var ranked = null;
  function rankedTrials() {
    if (!ranked) {
      ranked = data.trials.filter(function (t) { return t.final && t.feasible !== false; }).sort(function (a, b) {
        if (a.final[0] !== b.final[0]) return b.final[0] - a.final[0];
        return maximize ? b.final[1] - a.final[1] : a.final[1] - b.final[1];
      });
    }
    return ranked;
  }
  function trialLink(trial) {
    return element("a", { href: "#trial-" + trial }, String(trial));
  }
  function drawTable() {
    var ranked = rankedTrials().slice(0, 20);
    var names = data.parameters.map(function (p) { return p.name; });
    var table = element("table");
    var head = element("tr");
    ["trial", "state", "bracket", "level", metric].concat(names).forEach(function (name, i) {
      head.appendChild(element("th", i === 1 || i >= 5 ? {} : { class: "num" }, name));
    });
    table.appendChild(head);
    ranked.forEach(function (t) {
      var row = element("tr");
      [t.trial, t.state, t.bracket, t.final[0], format(t.final[1])].concat(names.map(function (n) {
        return n in t.params ? format(t.params[n]) : "";
      })).forEach(function (value, i) {
        var cell = element("td", i === 1 || i >= 5 ? {} : { class: "num" }, i === 0 ? undefined : String(value));
        if (i === 0) cell.appendChild(trialLink(value));
        row.appendChild(cell);
      });
      table.appendChild(row);
    });
    document.getElementById("best-table").appendChild(table);
  }

  // --- 2b. best so far against campaign time ---------------------------------------------------

  // One line: the campaign's best by its own rule (scheduler/incumbent.hpp): a run that reached
  // a higher level replaces the best even when its value is worse; at the same level, a better
  // value does.
  function drawProgressTime() {
    var points = [];
    var current = null;
    data.ends.forEach(function (end) {
      if (current && (end.level < current.level || (end.level === current.level && !(maximize ? end.value > current.value : end.value < current.value)))) return;
      current = end;
      points.push({ x: end.time, y: end.value, trial: end.trial, level: end.level });
    });
    if (points.length && campaign.elapsed > points[points.length - 1].x) {
      var last = points[points.length - 1];
      points.push({ x: campaign.elapsed, y: last.y, trial: last.trial, level: last.level, extension: true });
    }
    new Chart(document.getElementById("progress-time"), {
      type: "line",
      data: { datasets: [{ label: "best " + metric, data: points, stepped: "after", borderColor: "#009e73", backgroundColor: "#009e73", borderWidth: 2,
                           pointRadius: points.map(function (p) { return p.extension ? 0 : 3; }), parsing: false }] },
      options: {
        onClick: openTrialOnClick,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", min: 0, title: { display: true, text: "campaign time (s" + (campaign.mode === "simulate" ? ", virtual)" : ")") } },
          y: { type: "linear", title: { display: true, text: "best " + metric + " so far" } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) { return metric + " " + format(c.parsed.y) + " (trial " + c.raw.trial + ", level " + c.raw.level + ") at " + format(c.parsed.x) + " s"; } } }
        }
      }
    });
  }

  // --- 4. parameter importance -------------------------------------------------------------------

  function levelSelect(container, levels, initial, onChange) {
    var label = element("label", {}, "level ");
    var select = element("select");
    levels.forEach(function (level) {
      var option = element("option", { value: String(level) }, levelLabel(level));
      if (level === initial) option.selected = true;
      select.appendChild(option);
    });
    select.addEventListener("change", function () { onChange(Number(select.value)); });
    label.appendChild(select);
    container.appendChild(label);
  }
  function drawImportance() {
    var section = document.getElementById("importance-controls");
    if (!data.importance.length) {
      section.textContent = "Not enough finished trials at any level (8 are needed) for an estimate.";
      document.getElementById("importance").parentNode.hidden = true;
      return;
    }
    var chart = null;
    function show(level) {
      var entry = data.importance.find(function (e) { return e.level === level; });
      var order = data.parameters.map(function (p, i) { return i; }).sort(function (a, b) { return entry.scores[b] - entry.scores[a]; });
      var config = {
        type: "bar",
        data: {
          labels: order.map(function (i) { return data.parameters[i].name; }),
          datasets: [{ label: "importance at " + levelLabel(level) + " (" + entry.trials + " trials)", data: order.map(function (i) { return entry.scores[i]; }),
                       backgroundColor: levelColour(level) }]
        },
        options: {
          indexAxis: "y",
          scales: { x: { min: 0, max: 1, title: { display: true, text: "share of the variance of the ranks explained alone (epsilon squared)" } } },
          plugins: { legend: { display: true } }
        }
      };
      if (chart) chart.destroy();
      chart = new Chart(document.getElementById("importance"), config);
    }
    var levels = data.importance.map(function (e) { return e.level; });
    var initial = levels[levels.length - 1];
    if (levels.length > 1) levelSelect(section, levels, initial, show);
    show(initial);
  }

  // --- 5. parallel coordinates ---------------------------------------------------------------------

  var kMaxLines = 500;  // the best ones: each line is a Chart.js dataset
  function drawParallel() {
    var byLevel = {};
    data.trials.forEach(function (t) { if (t.final) (byLevel[t.final[0]] = byLevel[t.final[0]] || []).push(t); });
    var levels = Object.keys(byLevel).map(Number).sort(function (a, b) { return a - b; });
    var controls = document.getElementById("parallel-controls");
    if (!levels.length) {
      controls.textContent = "No trial has finished a run yet.";
      document.getElementById("parallel").parentNode.hidden = true;
      return;
    }
    // The highest level with 5 finished trials or more, else the highest.
    var initial = levels[levels.length - 1];
    for (var i = levels.length - 1; i >= 0; --i) if (byLevel[levels[i]].length >= 5) { initial = levels[i]; break; }
    var note = element("span");
    var chart = null;
    // Each axis maps its values to 0..1: numbers between the space's bounds (log10 of them on
    // a log scale), categoricals at their choice's position.
    var axes = data.parameters.map(function (p) {
      if (p.type === "categorical") {
        return { name: p.name, range: p.choices.join(" | "), at: function (v) {
          var k = p.choices.indexOf(String(v));
          return k < 0 ? null : (p.choices.length > 1 ? k / (p.choices.length - 1) : 0.5);
        } };
      }
      var values = data.trials.map(function (t) { return t.params[p.name]; }).filter(function (v) { return typeof v === "number"; });
      var low = "low" in p ? p.low : Math.min.apply(null, values.concat([Infinity]));
      var high = "high" in p ? p.high : Math.max.apply(null, values.concat([-Infinity]));
      var log = p.log && low > 0;
      var f = function (v) { return log ? Math.log10(v) : v; };
      return { name: p.name, range: format(low) + " .. " + format(high) + (log ? " (log)" : ""), at: function (v) {
        if (typeof v !== "number" || !(high > low)) return typeof v === "number" ? 0.5 : null;
        return Math.min(1, Math.max(0, (f(v) - f(low)) / (f(high) - f(low))));
      } };
    });
    function show(level) {
      var trials = byLevel[level].slice().sort(function (a, b) { return maximize ? b.final[1] - a.final[1] : a.final[1] - b.final[1]; });
      var total = trials.length;
      trials = trials.slice(0, kMaxLines);
      var values = trials.map(function (t) { return t.final[1]; });
      var lo = Math.min.apply(null, values), hi = Math.max.apply(null, values);
      var metricAxis = { name: metric, range: format(lo) + " .. " + format(hi), at: function (v) { return hi > lo ? (v - lo) / (hi - lo) : 0.5; } };
      var all = axes.concat([metricAxis]);
      // Drawn worst first, so that the best lie on top; the best dark green, the worst pale blue.
      var datasets = trials.slice().reverse().map(function (t, i, list) {
        var goodness = list.length > 1 ? i / (list.length - 1) : 1;
        var colour = "rgba(" + Math.round(86 - 86 * goodness) + "," + Math.round(180 - 22 * goodness) + "," + Math.round(233 - 118 * goodness) + "," + (0.35 + 0.6 * goodness) + ")";
        return {
          label: "trial " + t.trial, trial: t.trial, borderColor: colour, backgroundColor: colour, borderWidth: 1.2, pointRadius: 0, pointHitRadius: 4,
          data: all.map(function (axis, k) {
            var v = k < axes.length ? axis.at(t.params[data.parameters[k].name]) : axis.at(t.final[1]);
            return { x: k, y: v, trial: t.trial, value: k < axes.length ? t.params[data.parameters[k].name] : t.final[1] };
          }),
          parsing: false
        };
      });
      note.textContent = " " + (total > trials.length ? "the best " + trials.length + " of " + total : String(total)) + " finished trials at this level; darker green is better.";
      if (chart) chart.destroy();
      chart = new Chart(document.getElementById("parallel"), {
        type: "line",
        data: { datasets: datasets },
        options: {
          onClick: openTrialOnClick,
          interaction: { mode: "nearest", intersect: true },
          scales: {
            x: { type: "linear", min: -0.2, max: all.length - 0.8, grid: { display: false },
                 afterBuildTicks: function (axis) { axis.ticks = all.map(function (a, k) { return { value: k }; }); },
                 ticks: { autoSkip: false, maxRotation: 0, callback: function (v) { return all[v] ? [all[v].name, all[v].range] : ""; } } },
            y: { type: "linear", min: -0.02, max: 1.02, ticks: { display: false }, grid: { display: false } }
          },
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + all[c.raw.x].name + " " + format(c.raw.value); } } }
          }
        }
      });
    }
    if (levels.length > 1) levelSelect(controls, levels, initial, show);
    controls.appendChild(note);
    show(initial);
  }

  // --- 7. workers' timeline ------------------------------------------------------------------------

  var endStyle = {
    completed: { color: "rgba(0, 114, 178, 0.85)", label: "reached its budget" },
    stopped: { color: "rgba(110, 117, 130, 0.6)", label: "stopped early" },
    paused: { color: "rgba(204, 121, 167, 0.9)", label: "paused (promotable later)" },
    failed: { color: "rgba(179, 38, 30, 0.9)", label: "failed" },
    running: { color: "rgba(230, 159, 0, 0.95)", label: "running" }
  };
  function column(table, name) { return table.columns.indexOf(name); }
  function drawTimeline() {
    var runs = data.runs;
    var c = { run: column(runs, "run"), trial: column(runs, "trial"), level: column(runs, "level"), launched: column(runs, "launched"),
              ended: column(runs, "ended"), lane: column(runs, "lane"), end: column(runs, "end") };
    var lanes = 0;
    var byEnd = {};
    runs.rows.forEach(function (r) {
      lanes = Math.max(lanes, r[c.lane] + 1);
      var end = r[c.ended] === null ? campaign.elapsed : r[c.ended];
      var list = byEnd[r[c.end]] = byEnd[r[c.end]] || [];
      // A segment per run; the third point (y null) breaks the line before the next one.
      list.push({ x: r[c.launched], y: r[c.lane], trial: r[c.trial], run: r[c.run], level: r[c.level], to: end },
                { x: end, y: r[c.lane], trial: r[c.trial], run: r[c.run], level: r[c.level], to: end },
                { x: end, y: null });
    });
    var width = Math.max(1.5, Math.min(10, 300 / Math.max(1, lanes)));
    var datasets = Object.keys(endStyle).filter(function (k) { return byEnd[k]; }).map(function (k) {
      return { label: endStyle[k].label, data: byEnd[k], borderColor: endStyle[k].color, backgroundColor: endStyle[k].color,
               borderWidth: width, borderCapStyle: "butt", pointRadius: 0, pointHitRadius: 3, spanGaps: false,
               borderDash: k === "paused" ? [6, 3] : [] };
    });
    new Chart(document.getElementById("timeline"), {
      type: "line",
      data: { datasets: datasets },
      options: {
        onClick: openTrialOnClick,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", min: 0, title: { display: true, text: "campaign time (s" + (campaign.mode === "simulate" ? ", virtual)" : ")") } },
          y: { type: "linear", reverse: true, min: -0.5, max: Math.max(0.5, lanes - 0.5), ticks: { stepSize: 1, precision: 0 },
               title: { display: true, text: "lane (" + lanes + ")" } }
        },
        plugins: {
          tooltip: { callbacks: { label: function (t) {
            return "trial " + t.raw.trial + ", run " + t.raw.run + " at level " + t.raw.level + " (" + t.dataset.label + "), " + format(t.raw.x) + " s";
          } } }
        }
      }
    });
  }

  // --- population-based training's lineage ------------------------------------------------------

  function drawLineage() {
    var section = document.getElementById("lineage-section");
    if (!data.lineage) {
      section.hidden = true;
      return;
    }
    var spans = [], copies = [], members = 1, top = 0;
    data.lineage.trials.forEach(function (t) {
      members = Math.max(members, t.member + 1);
      top = Math.max(top, t.to);
      spans.push({ x: t.from, y: t.member, trial: t.trial, from: t.from, to: t.to, state: t.state },
                 { x: t.to, y: t.member, trial: t.trial, from: t.from, to: t.to, state: t.state }, { x: t.to, y: null });
    });
    data.lineage.copies.forEach(function (c) {
      var info = { trial: c.trial, donor: c.from, member: c.member, fromMember: c.from_member, units: c.units, time: c.time };
      copies.push(Object.assign({ x: c.units, y: c.from_member }, info), Object.assign({ x: c.units, y: c.member }, info), { x: c.units, y: null });
    });
    new Chart(document.getElementById("lineage"), {
      type: "line",
      data: { datasets: [
        { label: "a trial training", data: spans, borderColor: "#4e79a7", backgroundColor: "#4e79a7", borderWidth: 6,
          borderCapStyle: "butt", pointRadius: 0, pointHitRadius: 4, spanGaps: false },
        { label: "a copy of a checkpoint", data: copies, borderColor: "#e15759", backgroundColor: "#e15759", borderWidth: 1.5,
          pointRadius: 3, spanGaps: false }
      ] },
      options: {
        onClick: openTrialOnClick,
        interaction: { mode: "nearest", intersect: false },
        scales: {
          x: { type: "linear", min: 0, max: top, title: { display: true, text: "budget (units)" } },
          y: { type: "linear", reverse: true, min: -0.5, max: members - 0.5, ticks: { stepSize: 1, precision: 0 },
               title: { display: true, text: "member (" + members + ")" } }
        },
        plugins: {
          tooltip: { callbacks: { label: function (t) {
            var r = t.raw;
            if (r.donor !== undefined) return "trial " + r.trial + " (member " + r.member + ") copied trial " + r.donor + " (member " + r.fromMember + ") at " + format(r.units) + " units, " + format(r.time) + " s";
            return "trial " + r.trial + " (" + r.state + "): " + format(r.from) + " to " + format(r.to) + " units";
          } } }
        }
      }
    });
  }

  // --- 8. failures ---------------------------------------------------------------------------------

  function tailBlock(lines, file) {
    var block = element("pre", { class: "tail" }, lines.length ? lines.join("\n") : "(no stderr recorded)");
    if (file) block.title = file;
    return block;
  }
  function drawFailures() {
    var box = document.getElementById("failures");
    var failures = data.failures;
    if (!failures.count) {
      box.appendChild(element("p", { class: "note" }, "No run failed."));
      return;
    }
    box.appendChild(element("p", { class: "note" }, failures.count + " failed run" + (failures.count > 1 ? "s" : "") +
      (failures.rows.length < failures.count ? " (the first " + failures.rows.length + " shown)" : "") + "."));
    var table = element("table", { id: "failures-table" });
    var head = element("tr");
    ["trial", "run", "level", "at (s)", "how it ended", "stderr (last lines)"].forEach(function (name) { head.appendChild(element("th", {}, name)); });
    table.appendChild(head);
    failures.rows.forEach(function (f) {
      var row = element("tr");
      var cell = element("td", { class: "num" });
      cell.appendChild(trialLink(f.trial));
      row.appendChild(cell);
      [f.run, f.level, format(f.time), f.how].forEach(function (v) { row.appendChild(element("td", {}, String(v))); });
      var tail = element("td");
      tail.appendChild(tailBlock(f.stderr, f.stderr_file));
      row.appendChild(tail);
      table.appendChild(row);
    });
    box.appendChild(table);
  }

  // --- 9. a view per trial -------------------------------------------------------------------------

  var trialIndex = null;
  function indexTrials() {
    if (trialIndex) return trialIndex;
    trialIndex = { trial: {}, curve: {}, runs: {}, failures: {} };
    data.trials.forEach(function (t) { trialIndex.trial[t.trial] = t; });
    data.curves.forEach(function (cv) { trialIndex.curve[cv.trial] = cv; });
    var trialColumn = column(data.runs, "trial");
    data.runs.rows.forEach(function (r) { (trialIndex.runs[r[trialColumn]] = trialIndex.runs[r[trialColumn]] || []).push(r); });
    data.failures.rows.forEach(function (f) { (trialIndex.failures[f.trial] = trialIndex.failures[f.trial] || []).push(f); });
    return trialIndex;
  }
  var trialChart = null;
  function showTrialView() {
    var view = document.getElementById("trial-view");
    var match = /^#trial-(\d+)$/.exec(location.hash);
    var index = indexTrials();
    var trial = match ? index.trial[Number(match[1])] : null;
    if (trialChart) { trialChart.destroy(); trialChart = null; }
    view.textContent = "";
    if (!trial) {
      view.hidden = true;
      return;
    }
    view.hidden = false;
    var close = element("a", { href: "#", class: "close" }, "close");
    view.appendChild(close);
    view.appendChild(element("h2", {}, "Trial " + trial.trial));
    view.appendChild(element("p", { class: "note" }, "state " + trial.state + ", bracket " + trial.bracket + ", highest level " + trial.level +
      (trial.final ? ", " + metric + " " + format(trial.final[1]) + " at level " + trial.final[0] : "") + (trial.failure ? "; last failure: " + trial.failure : "")));
    var params = element("table", { class: "trial-params" });
    Object.keys(trial.params).forEach(function (name) {
      var row = element("tr");
      row.appendChild(element("th", {}, name));
      row.appendChild(element("td", {}, format(trial.params[name])));
      params.appendChild(row);
    });
    view.appendChild(params);

    var curve = index.curve[trial.trial];
    var box = element("div", { class: "chart small" });
    var canvas = element("canvas", { id: "trial-curve" });
    box.appendChild(canvas);
    view.appendChild(box);
    if (curve) {
      var byLevel = {};
      curve.x.forEach(function (x, i) { (byLevel[curve.levels[i]] = byLevel[curve.levels[i]] || []).push({ x: x, y: curve.y[i] }); });
      trialChart = new Chart(canvas, {
        type: "line",
        data: { datasets: Object.keys(byLevel).map(Number).map(function (level) {
          return { label: levelLabel(level), data: byLevel[level], borderColor: levelColour(level), backgroundColor: levelColour(level), pointRadius: 2, borderWidth: 1.5 };
        }) },
        options: { scales: { x: { type: "linear", title: { display: true, text: "step" } }, y: { title: { display: true, text: metric } } } }
      });
    } else {
      box.hidden = true;
      view.appendChild(element("p", { class: "note" }, "No report with a value of " + metric + "."));
    }

    var c = data.runs.columns;
    var runs = element("table", { class: "trial-runs" });
    var head = element("tr");
    ["run", "level", "launched (s)", "ended (s)", "how it ended", metric].forEach(function (n) { head.appendChild(element("th", {}, n)); });
    runs.appendChild(head);
    var failures = {};
    (index.failures[trial.trial] || []).forEach(function (f) { failures[f.run] = f; });
    (index.runs[trial.trial] || []).forEach(function (r) {
      var row = element("tr");
      var run = r[c.indexOf("run")];
      var how = r[c.indexOf("end")];
      if (failures[run]) how += ": " + failures[run].how;
      [run, r[c.indexOf("level")], format(r[c.indexOf("launched")]), format(r[c.indexOf("ended")]), how, format(r[c.indexOf("value")])].forEach(function (v) {
        row.appendChild(element("td", {}, String(v)));
      });
      runs.appendChild(row);
    });
    view.appendChild(runs);
    (index.failures[trial.trial] || []).forEach(function (f) {
      view.appendChild(element("p", { class: "note" }, "run " + f.run + ": " + f.how + (f.stderr_file ? " (" + f.stderr_file + ")" : "")));
      view.appendChild(tailBlock(f.stderr, f.stderr_file));
    });
    view.scrollIntoView();
  }

  // --- live refresh (`rungs report --watch`) -------------------------------------------------------

  // The file is rewritten while the campaign runs; reload it, keeping the scroll position (the
  // hash, and so the open trial view, survives a reload by itself). The last write, once the
  // campaign ended, has no refresh.
  function scheduleRefresh() {
    var key = "rungs-scroll:" + location.pathname;
    var storage = null;
    try { storage = window.sessionStorage; } catch (e) { storage = null; }  // some file:// setups refuse it
    var saved = storage ? storage.getItem(key) : null;
    if (saved !== null) {
      window.scrollTo(0, Number(saved));
      storage.removeItem(key);
    }
    if (!campaign.refresh) return;
    document.getElementById("refresh-note").textContent = "This page reloads every " + campaign.refresh + " s while the campaign runs.";
    setTimeout(function () {
      if (storage) storage.setItem(key, String(window.scrollY));
      location.reload();
    }, campaign.refresh * 1000);
  }

  // Each part timed (<body data-timings>, milliseconds: bench/report_render.cpp prints them).
  var timings = { parse: Math.round(performance.now() - started) };
  // Several objectives: the first two against each other, every trial's latest feasible run,
  // the Pareto front highlighted and joined (docs/objectives.md).
  function drawPareto() {
    if (!data.objectives || data.objectives.length < 2) return;
    document.getElementById("pareto-section").hidden = false;
    var names = data.objectives.map(function (o) { return o.name + " (" + (o.maximize ? "max" : "min") + ")"; });
    var onFront = {};
    data.front.forEach(function (p) { onFront[p.trial] = true; });
    var point = function (p) { return { x: p.values[0], y: p.values[1], trial: p.trial, level: p.level }; };
    var others = data.objective_points.filter(function (p) { return !onFront[p.trial]; }).map(point);
    var front = data.front.map(point);
    new Chart(document.getElementById("pareto"), {
      type: "scatter",
      data: { datasets: [
        { label: "Pareto front", data: front, showLine: true, stepped: false, borderColor: "#d62728", backgroundColor: "#d62728", pointRadius: 5 },
        { label: "other runs (latest per trial)", data: others, borderColor: "#999", backgroundColor: "#bbb", pointRadius: 3 }
      ] },
      options: {
        animation: false, maintainAspectRatio: false,
        onClick: openTrialOnClick,
        scales: { x: { type: "linear", title: { display: true, text: names[0] } }, y: { type: "linear", title: { display: true, text: names[1] } } },
        plugins: { tooltip: { callbacks: { label: function (c) { return "trial " + c.raw.trial + " (level " + c.raw.level + "): " + format(c.parsed.x) + ", " + format(c.parsed.y); } } } }
      }
    });
  }

  function timed(name, draw) {
    var t = performance.now();
    var result = draw();
    timings[name] = Math.round(performance.now() - t);
    return result;
  }
  var curves = timed("curves", drawCurves);
  timed("summary", drawSummary);
  timed("progress", drawProgress);
  timed("progressTime", drawProgressTime);
  timed("rungs", drawRungs);
  timed("pareto", drawPareto);
  timed("importance", drawImportance);
  timed("parallel", drawParallel);
  timed("parameters", drawParameters);
  timed("timeline", drawTimeline);
  timed("lineage", drawLineage);
  timed("failures", drawFailures);
  timed("table", drawTable);
  timed("trialView", showTrialView);
  window.addEventListener("hashchange", showTrialView);
  scheduleRefresh();
  document.body.dataset.timings = JSON.stringify(timings);
  document.body.dataset.curves = String(curves);
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));  // parse + draw
  // From the start of the navigation: loading the file, Chart.js and this script, and drawing.
  document.body.dataset.drawnAtMs = String(Math.round(performance.now()));
  document.body.dataset.rendered = "true";
})();
