// rungs report: draws a campaign from the JSON that html_report.cpp embeds (#rungs-data),
// with Chart.js (inlined before this script). Four pictures:
//   1. learning curves: the metric against the step, one line per trial; stopped trials
//      dashed and grey, failed ones red and dotted, the best trial thick on top;
//   2. best so far against budget spent: per budget level, the best value of runs that
//      reached it, against the scheduler units handed out until then;
//   3. rungs: per bracket, how many trials reached each budget level (the halving funnel);
//   4. one scatter per parameter: its value against the trial's value at the highest level
//      it finished, coloured by that level, with the prior's centre dashed when it has one.
// When done it sets <body data-rendered="true" data-curves="N"> (N learning curves drawn) and
// data-render-ms (how long parsing the data and drawing took):
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
  }

  // --- 1. learning curves --------------------------------------------------------------------

  function drawCurves() {
    var bestTrial = data.best ? data.best.trial : null;
    var all = [];
    var datasets = data.curves.map(function (curve) {
      var best = curve.trial === bestTrial;
      var style = best ? bestStyle : (stateStyle[curve.state] || stateStyle.completed);
      var points = curve.x.map(function (x, i) { all.push(curve.y[i]); return { x: x, y: curve.y[i] }; });
      return {
        label: "trial " + curve.trial + " (" + curve.state + ")",
        data: points,
        borderColor: style.color,
        backgroundColor: style.color,
        borderDash: style.dash,
        borderWidth: style.width,
        pointRadius: curve.x.length === 1 ? 2 : 0,  // a one-report trial would be invisible
        pointHoverRadius: 3,
        order: best ? 0 : (curve.state === "stopped" ? 2 : 1),  // lower order draws on top
        normalized: true,
        parsing: false,
        spanGaps: true,
        tension: 0
      };
    });
    var chart = new Chart(document.getElementById("curves"), {
      type: "line",
      data: { datasets: datasets },
      options: {
        interaction: { mode: "nearest", intersect: false, axis: "xy" },
        scales: {
          x: { type: "linear", title: { display: true, text: "step" } },
          y: { type: "linear", title: { display: true, text: metric + " (" + campaign.direction + ")" } }
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": step " + format(c.parsed.x) + ", " + metric + " " + format(c.parsed.y); } } }
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
    return datasets.length;
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

  function drawRungs() {
    var levels = [];
    data.rungs.forEach(function (r) { if (levels.indexOf(r.level) < 0) levels.push(r.level); });
    levels.sort(function (a, b) { return a - b; });
    var brackets = [];
    data.rungs.forEach(function (r) { if (brackets.indexOf(r.bracket) < 0) brackets.push(r.bracket); });
    brackets.sort(function (a, b) { return a - b; });
    var datasets = brackets.map(function (bracket, i) {
      return {
        label: "bracket " + bracket,
        backgroundColor: palette[i % palette.length],
        data: levels.map(function (level) {
          var rung = data.rungs.find(function (r) { return r.bracket === bracket && r.level === level; });
          return rung ? rung.reached : null;
        }),
        rungs: levels.map(function (level) {
          return data.rungs.find(function (r) { return r.bracket === bracket && r.level === level; }) || null;
        })
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
        return { label: "final at level " + level, data: byLevel[level], backgroundColor: levelColour(level), borderColor: levelColour(level), pointRadius: 3, parsing: false };
      });
      if (unfinished.length) {
        datasets.push({ label: "no finished run (last value)", data: unfinished, backgroundColor: "rgba(0,0,0,0)", borderColor: "rgba(110, 117, 130, 0.6)", pointRadius: 3, parsing: false });
      }
      // The prior's centre, if the parameter has a prior: a dashed vertical line over the points.
      var centre = "prior_center" in parameter ? x(parameter.prior_center) : null;
      if (centre !== null && !(categorical && centre < 0)) {
        var ys = [];
        datasets.forEach(function (d) { d.data.forEach(function (p) { ys.push(p.y); }); });
        if (ys.length) {
          datasets.push({ label: "prior centre", type: "line", data: [{ x: centre, y: Math.min.apply(null, ys) }, { x: centre, y: Math.max.apply(null, ys) }],
                          borderColor: "rgba(213, 94, 0, 0.9)", borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, parsing: false });
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

  function drawTable() {
    var ranked = data.trials.filter(function (t) { return t.final; }).sort(function (a, b) {
      if (a.final[0] !== b.final[0]) return b.final[0] - a.final[0];
      return maximize ? b.final[1] - a.final[1] : a.final[1] - b.final[1];
    }).slice(0, 20);
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
        row.appendChild(element("td", i === 1 || i >= 5 ? {} : { class: "num" }, String(value)));
      });
      table.appendChild(row);
    });
    document.getElementById("best-table").appendChild(table);
  }

  var curves = drawCurves();
  drawSummary();
  drawProgress();
  drawRungs();
  drawParameters();
  drawTable();
  document.body.dataset.curves = String(curves);
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));  // parse + draw
  document.body.dataset.rendered = "true";
})();
