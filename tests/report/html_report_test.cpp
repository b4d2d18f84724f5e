// `rungs report`: the data the page draws, and the page itself rendered in headless Chromium
// (Debian's chromium; CI installs it): it must draw one learning curve per trial with reports
// and log no error.
#include <doctest/doctest.h>

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <regex>
#include <set>
#include <cmath>
#include <algorithm>
#include <sstream>
#include <string>

#include <SQLiteCpp/SQLiteCpp.h>
#include <nlohmann/json.hpp>

#include "report/commands.hpp"
#include "report/html_report.hpp"
#include "report/report_data.hpp"
#include "report/snapshot.hpp"
#include "tests/campaign/test_support.hpp"
#include "tests/report/real_campaign.hpp"
#include "tests/report/chart_check.hpp"
#include "tests/report/headless_chromium.hpp"

namespace {

namespace fs = std::filesystem;
using rungs::store::CampaignStore;

struct Rendered {
  std::string rendered;  // <body data-rendered>
  long curves = -1;      // <body data-curves>
  std::string render_ms; // <body data-render-ms>: report.js's own time
  std::string errors;    // the text of #errors
  std::vector<std::string> console;  // CONSOLE lines of Chromium's log
  nlohmann::json charts;  // per Chart.js chart: points, drawn, outside (tests/report/chart_check.hpp)
  nlohmann::json click;   // the click's outcome, when one was asked for
  rungs::testing::BrowserRun run;
};

std::string attribute(const std::string& tag, const std::string& name) {
  std::smatch match;
  if (std::regex_search(tag, match, std::regex(" " + name + "=\"([^\"]*)\""))) return match[1];
  return {};
}

// Renders a copy of the report with the chart check appended (tests/report/chart_check.hpp),
// opened at `hash` (e.g. "#trial-3"), clicking a point of the chart on canvas `click` if given.
Rendered render(const fs::path& html, const fs::path& scratch, const std::string& hash = "", const std::string& click = "") {
  // RUNGS_KEEP_REPORTS=DIR keeps a copy of each report to look at (the test dirs go away).
  if (const char* keep = std::getenv("RUNGS_KEEP_REPORTS")) {
    fs::create_directories(keep);
    fs::copy_file(html, fs::path(keep) / (scratch.filename().string() + "-" + html.filename().string()),
                  fs::copy_options::overwrite_existing);
  }
  Rendered result;
  const auto checked = scratch / ("checked-" + html.filename().string());
  {
    std::ofstream out(checked, std::ios::binary);
    out << rungs::testing::with_chart_check(rungs::testing::read_file(html), click);
  }
  result.run = rungs::testing::dump_dom("file://" + fs::absolute(checked).string() + hash, scratch, std::chrono::seconds(180), 5000);
  result.charts = rungs::testing::dumped_json(result.run.dom, "chart-check");
  result.click = rungs::testing::dumped_json(result.run.dom, "click-check");
  std::smatch match;
  // The body tag follows the head (whose scripts' comments may mention "<body>").
  const auto head_end = result.run.dom.find("</head>");
  const std::string body = head_end == std::string::npos ? std::string() : result.run.dom.substr(head_end);
  if (std::regex_search(body, match, std::regex("^</head>\\s*<body[^>]*>"))) {
    result.rendered = attribute(match[0], "data-rendered");
    const auto curves = attribute(match[0], "data-curves");
    if (!curves.empty()) result.curves = std::stol(curves);
    result.render_ms = attribute(match[0], "data-render-ms");
  }
  if (std::regex_search(result.run.dom, match, std::regex("<pre id=\"errors\"[^>]*>([^<]*)</pre>"))) result.errors = match[1];
  else result.errors = "(no #errors element in the DOM)";
  std::istringstream log(result.run.log);
  for (std::string line; std::getline(log, line);)
    if (line.find(":CONSOLE") != std::string::npos) result.console.push_back(line);
  return result;
}

// Everything a rendered report must satisfy; `curves` learning curves drawn.
void check_rendered(const Rendered& page, std::size_t curves) {
  // Chromium's log without its noise about D-Bus, which containers lack.
  std::string log;
  std::istringstream lines(page.run.log);
  for (std::string line; std::getline(lines, line);)
    if (line.find("dbus") == std::string::npos && line.find("DBus") == std::string::npos) log += line + "\n";
  INFO("chromium log:\n" << log.substr(0, 4000));
  REQUIRE(page.run.finished);
  CHECK(WIFEXITED(page.run.status));
  CHECK(WEXITSTATUS(page.run.status) == 0);
  CHECK(page.run.leftovers.empty());
  CHECK(page.rendered == "true");
  CHECK(page.curves == static_cast<long>(curves));
  CHECK(page.errors == "");
  // Every point of every chart drawn inside its axes (issue 17: a log axis spanning the first
  // and last points only, which dropped the others).
  REQUIRE(page.charts.is_array());
  CHECK(page.charts.size() >= 6);
  for (const auto& chart : page.charts) {
    INFO("chart " << chart["id"] << " (" << chart["type"] << "): " << chart["outside"].dump());
    CHECK(chart["drawn"] == chart["points"]);
    CHECK(chart["outside"].empty());
  }
  // Chromium logs every console message at INFO, whatever its level, so the level cannot
  // single out errors: the report logs nothing at all, and any CONSOLE line is a finding.
  for (const auto& line : page.console) FAIL_CHECK("console: " << line);
}

bool have_chromium() {
  if (rungs::testing::chromium_path()) return true;
  MESSAGE("SKIPPED: chromium is not installed (apt-get install chromium); the HTML report was not rendered");
  return false;
}

}  // namespace

TEST_CASE("report data: a curve per trial with reports, runs that reached their budget, the recorded space") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path() / "c").facts;
  const auto store = CampaignStore::open(dir.path() / "c", true);
  const auto snapshot = rungs::report::load_snapshot(store, {.curves = true});
  REQUIRE(snapshot.info.space.size() == 4);
  REQUIRE(snapshot.info.ladder.has_value());
  CHECK(snapshot.info.ladder->levels.size() == 3);
  const auto data = rungs::report::report_data(snapshot);

  CHECK(data["campaign"]["metric"] == "val_loss");
  CHECK(data["campaign"]["trials"] == facts.trials);
  CHECK(data["trials"].size() == facts.trials);
  CHECK(data["curves"].size() == facts.trials_with_values.size());
  std::size_t points = 0;
  for (const auto& curve : data["curves"]) {
    CHECK(curve["x"].size() == curve["y"].size());
    points += curve["x"].size();
    CHECK(curve["state"] == facts.state_of.at(curve["trial"].get<std::int64_t>()));
  }
  CHECK(points == facts.reports);  // the simulated trials report the metric on every line
  REQUIRE(facts.best.has_value());
  CHECK(data["best"]["trial"] == facts.best->trial);
  CHECK(data["best"]["level"] == facts.best->level);

  // The parameters come from the space recorded when the campaign was created, not from
  // parsing its YAML again: lr on a log scale, optimizer's choices.
  REQUIRE(data["parameters"].size() == 4);
  CHECK(data["parameters"][0]["name"] == "optimizer");
  CHECK(data["parameters"][0]["choices"] == nlohmann::json({"sgd", "adam, fast", "say \"hi\""}));
  CHECK(data["parameters"][1]["name"] == "lr");
  CHECK(data["parameters"][1]["log"] == true);

  // Ends: in time order, with non-decreasing budget spent.
  double spent = 0, time = 0;
  for (const auto& end : data["ends"]) {
    CHECK(end["spent"].get<double>() >= spent);
    CHECK(end["time"].get<double>() >= time);
    spent = end["spent"], time = end["time"];
  }
  CHECK(spent <= snapshot.budget_spent.value() + 1e-9);
  // Levels 0..2 at 1, 3, 9 units.
  REQUIRE(data["levels"].size() == 3);
  CHECK(data["levels"][2]["units"] == 9);
}

TEST_CASE("the report renders in headless Chromium: one curve per trial with reports, no errors") {
  if (!have_chromium()) return;
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path()).facts;
  const auto html = rungs::report::report_command(dir.path());
  CHECK(html == dir.path() / "report.html");
  const auto text = rungs::testing::read_file(html);
  // Self-contained: no script or stylesheet from anywhere else.
  CHECK(text.find("<script src") == std::string::npos);
  CHECK(text.find("<link") == std::string::npos);
  CHECK(text.find("Chart.js v4") != std::string::npos);

  const auto page = render(html, dir.path());
  check_rendered(page, facts.trials_with_values.size());
  // The charts' canvases are there, one per parameter too.
  CHECK(page.run.dom.find("id=\"parameter-3\"") != std::string::npos);
  CHECK(page.run.dom.find("<table>") != std::string::npos);
}

TEST_CASE("a population-based training campaign renders its lineage: every trial and copy drawn, a click opens a trial") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path(), {.pbt = true}).facts;
  const auto html = rungs::report::report_command(dir.path());
  const auto data = rungs::report::report_data(
      rungs::report::load_snapshot(CampaignStore::open(dir.path(), true), {.curves = true}), {});
  REQUIRE(data["lineage"].is_object());
  const auto copies = data["lineage"]["copies"].size();
  REQUIRE(copies > 0);
  CHECK(data["lineage"]["trials"].size() == facts.trials);
  for (const auto& copy : data["lineage"]["copies"]) CHECK(copy["from_member"] != copy["member"]);
  if (!have_chromium()) return;
  const auto page = render(html, dir.path(), "", "lineage");
  check_rendered(page, facts.trials_with_values.size());
  bool drawn = false;
  for (const auto& chart : page.charts) {
    if (chart["id"] != "lineage") continue;
    drawn = true;
    // Two points per trial's span, two per copy (the gap points have y null and do not count).
    CHECK(chart["points"] == 2 * (facts.trials + copies));
  }
  CHECK(drawn);
  REQUIRE(page.click.is_object());
  INFO(page.click.dump());
  CHECK(page.click["hash"] == fmt::format("#trial-{}", page.click["expected"].get<std::int64_t>()));
  CHECK(page.click["hidden"] == false);
}

TEST_CASE("a campaign with priors renders, their centres passed to the scatter plots") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path(), {.priors = true}).facts;
  const auto html = rungs::report::report_command(dir.path());
  const auto text = rungs::testing::read_file(html);
  CHECK(text.find(R"("prior_center":"sgd")") != std::string::npos);
  CHECK(text.find(R"("prior_center":0.003)") != std::string::npos);
  if (!have_chromium()) return;
  check_rendered(render(html, dir.path()), facts.trials_with_values.size());
}

TEST_CASE("a warm-started campaign's report says what the past campaigns gave, as rungs status --json does") {
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path()).facts;
  // The record campaign/warm_start_record.cpp writes at creation (store.cpp: the warm_start
  // table), with markup in a path: the card must show it as text.
  const nlohmann::json warm = {
      {"sources", {{{"path", "runs/<b>old</b>"}, {"campaign", "old"}, {"mode", "observations"}, {"observations", 40},
                    {"dropped", 0}, {"changes", nlohmann::json::array()}, {"levels", ""}, {"best", nlohmann::json::array()}}}},
      {"observations", nlohmann::json::array({nlohmann::json::array({{{"lr", 0.01}}, 0, 0.5}),
                                              nlohmann::json::array({{{"lr", 0.02}}, 0, 0.4})})},
      {"first", nlohmann::json::array({{{"lr", 0.02}}})},
      {"narrowed", {{{"parameter", "lr"}, {"from", "float in [0.0001, 0.1] log"}, {"to", "float in [0.001, 0.05] log"},
                     {"domain", nlohmann::json::object()}}}}};
  {
    SQLite::Database db((dir.path() / "rungs.db").string(), SQLite::OPEN_READWRITE);
    db.exec("CREATE TABLE warm_start (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)");
    SQLite::Statement insert(db, "INSERT INTO warm_start VALUES (1, ?)");
    insert.bind(1, warm.dump());
    insert.exec();
  }
  const auto store = rungs::store::CampaignStore::open(dir.path(), /*read_only=*/true);
  const auto data = rungs::report::report_data(rungs::report::load_snapshot(store));
  const auto& summary = data["campaign"]["warm_start"];
  REQUIRE(summary.is_object());
  CHECK(summary["observations"] == 2);
  CHECK(summary["first"] == 1);
  CHECK(summary["sources"][0]["path"] == "runs/<b>old</b>");
  CHECK(summary["narrowed"][0]["to"] == "float in [0.001, 0.05] log");
  if (!have_chromium()) return;
  const auto html = rungs::report::report_command(dir.path());
  const auto page = render(html, dir.path());
  check_rendered(page, facts.trials_with_values.size());
  CHECK(page.run.dom.find("2 past observations, 1 configurations tried first from runs/&lt;b&gt;old&lt;/b&gt; "
                          "(observations); lr narrowed float in [0.0001, 0.1] log -&gt; float in [0.001, 0.05] log") !=
        std::string::npos);
}

TEST_CASE("a campaign name and failure text with markup, and a launch without a cost, cannot break the page") {
  if (!have_chromium()) return;
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path(), {.spec_name = "nasty </script><!-- & co"}).facts;
  {
    auto store = CampaignStore::open(dir.path());
    rungs::store::TrialRow row = store.trials().at(0);
    row.state = "failed";
    row.failure = "</script><script>document.body.dataset.rendered='hacked'</script><!--";
    store.append(rungs::store::Event{.time = 100.0, .kind = rungs::store::EventKind::State, .trial = row.trial, .run = std::nullopt, .data = {{"state", "failed"}}}, &row);
    // A launch that recorded no cost: the budget spent is unknown, and the progress chart is
    // drawn against campaign time.
    rungs::store::TrialRow extra;
    extra.trial = 1000;
    extra.params = row.params;
    extra.state = "running";
    store.append(rungs::store::Event{.time = 101.0, .kind = rungs::store::EventKind::Launch, .trial = 1000, .run = 1000,
                                     .data = {{"bracket", 0}, {"level", 0}, {"units", 1}, {"budget", row.budget},
                                              {"params", row.params}, {"resumed", false}}},
                 &extra);
  }
  const auto html = dir.path() / "out" / "nasty.html";
  CHECK(rungs::report::report_command(dir.path(), html) == html);
  const auto page = render(html, dir.path());
  check_rendered(page, facts.trials_with_values.size());
  CHECK(page.run.dom.find("<h1>nasty &lt;/script&gt;&lt;!-- &amp; co</h1>") != std::string::npos);
  CHECK(page.run.dom.find(">budget spent</div><div class=\"value\">unknown</div>") != std::string::npos);
}

TEST_CASE("a 1,000-trial campaign renders in Chromium") {
  if (!have_chromium()) return;
  rungs::testing::TempDir dir;
  // 16 Hyperband iterations of 65 trials over 1, 3, 9, 27 epochs (the top level's 54 virtual
  // seconds within the timeout).
  const auto facts =
      rungs::testing::write_real_campaign(dir.path(), {.iterations = 16, .max_epochs = 27, .timeout = "80s"}).facts;
  REQUIRE(facts.trials >= 1000);

  const auto started = std::chrono::steady_clock::now();
  const auto html = rungs::report::report_command(dir.path());
  const double writing = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const auto page = render(html, dir.path());
  check_rendered(page, facts.trials_with_values.size());
  MESSAGE(fmt::format("{} trials, {} reports: report.html {:.0f} KB, written in {:.2f} s; data parsed and charts "
                      "drawn in {} ms, headless Chromium done in {:.2f} s (its start included)",
                      facts.trials, facts.reports, fs::file_size(html) / 1024.0, writing, page.render_ms,
                      page.run.seconds));
  CHECK(fs::file_size(html) < 3'000'000);
}

TEST_CASE("a campaign that has just started, without its YAML, renders too") {
  rungs::testing::TempDir dir;
  rungs::store::CampaignInfo info;
  info.name = "fresh";
  info.metric = "acc";
  info.direction = "max";
  auto store = CampaignStore::create(dir.path(), info);
  rungs::store::TrialRow row;
  row.trial = 1;
  row.params = {{"lr", 0.001}, {"width", 1000}, {"kind", "resnet"}};
  row.state = "running";
  store.append({.time = 1, .kind = rungs::store::EventKind::Launch, .trial = 1, .run = 1,
                .data = {{"bracket", 0}, {"level", 0}, {"units", 1}, {"budget", {{"epochs", 1}}}, {"params", row.params},
                         {"resumed", false}}},
               &row);
  row.last_value = 0.5;
  store.append({.time = 2, .kind = rungs::store::EventKind::Report, .trial = 1, .run = 1,
                .data = {{"level", 0}, {"line", 1}, {"step", 1}, {"value", 0.5}, {"metrics", {{"acc", 0.5}}}}},
               &row);

  // Parameters guessed from the values: text is categorical, numbers are not.
  const auto data = rungs::report::report_data(rungs::report::load_snapshot(store, {.curves = true}));
  REQUIRE(data["parameters"].size() == 3);
  CHECK(data["parameters"][0]["name"] == "kind");
  CHECK(data["parameters"][0]["type"] == "categorical");
  CHECK(data["parameters"][1]["name"] == "lr");
  CHECK(data["parameters"][1]["type"] == "float");
  CHECK(data["best"].is_null());
  CHECK(data["ends"].empty());

  if (!have_chromium()) return;
  const auto html = rungs::report::report_command(dir.path());
  check_rendered(render(html, dir.path()), 1);
}

namespace {

// The text of the trial view section in a dumped DOM.
std::string trial_view(const std::string& dom) {
  const auto begin = dom.find("<section id=\"trial-view\"");
  if (begin == std::string::npos) return {};
  return dom.substr(begin, dom.find("</section>", begin) - begin);
}

// A stderr.log for `trial`, as a real trial's would be (simulations write none).
void write_stderr(const fs::path& campaign, std::int64_t trial, const std::string& text) {
  const auto dir = campaign / "trials" / fmt::format("{:04d}", trial);
  fs::create_directories(dir);
  std::ofstream(dir / "stderr.log") << text;
}

}  // namespace

TEST_CASE("the trial view: opened by its hash, and by a click on a chart's point, the failures table shows stderr tails") {
  if (!have_chromium()) return;
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path()).facts;
  REQUIRE(facts.failed_runs > 0);
  REQUIRE(facts.failed_trial != 0);
  write_stderr(dir.path(), facts.failed_trial,
               "loading data\nTraceback (most recent call last):\nRuntimeError: CUDA out of memory <tried 2 GiB>\n");
  const auto html = rungs::report::report_command(dir.path());

  SUBCASE("the failures table and the hash") {
    const auto page = render(html, dir.path(), fmt::format("#trial-{}", facts.failed_trial));
    check_rendered(page, facts.trials_with_values.size());
    const auto failures = page.run.dom.substr(page.run.dom.find("id=\"failures\""));
    CHECK(failures.find(fmt::format("{} failed run", facts.failed_runs)) != std::string::npos);
    CHECK(failures.find("RuntimeError: CUDA out of memory &lt;tried 2 GiB&gt;") != std::string::npos);
    CHECK(failures.find("timed out") != std::string::npos);  // the test campaign's failures are timeouts
    CHECK(failures.find(fmt::format("href=\"#trial-{}\"", facts.failed_trial)) != std::string::npos);

    const auto view = trial_view(page.run.dom);
    CHECK(view.find("hidden") > view.find(">"));  // the section is shown
    CHECK(view.find(fmt::format("<h2>Trial {}</h2>", facts.failed_trial)) != std::string::npos);
    for (const auto& [name, value] : facts.params_of.at(facts.failed_trial).items())
      CHECK(view.find("<th>" + name + "</th>") != std::string::npos);
    CHECK(view.find("RuntimeError: CUDA out of memory") != std::string::npos);
    CHECK(view.find("failed: timed out") != std::string::npos);
    if (facts.trials_with_values.count(facts.failed_trial)) CHECK(view.find("id=\"trial-curve\"") != std::string::npos);
  }

  SUBCASE("a click on a point of the lr scatter plot and on a learning curve") {
    for (const std::string canvas : {"parameter-1", "curves", "timeline"}) {
      CAPTURE(canvas);
      const auto page = render(html, dir.path(), "", canvas);
      check_rendered(page, facts.trials_with_values.size());
      REQUIRE(page.click.is_object());
      INFO(page.click.dump());
      CHECK(page.click["hash"] == fmt::format("#trial-{}", page.click["expected"].get<std::int64_t>()));
      CHECK(page.click["hidden"] == false);
      CHECK(page.click["view"].get<std::string>().find(fmt::format("Trial {}", page.click["expected"].get<std::int64_t>())) !=
            std::string::npos);
      CHECK(page.click["view"].get<std::string>().find("lr") != std::string::npos);
    }
  }
}

TEST_CASE("parameter importance ranks first the parameter that decides the value, and the page draws it") {
  rungs::testing::TempDir dir;
  rungs::store::CampaignInfo info;
  info.name = "importance";
  info.metric = "loss";
  auto parameter = [](std::string name, std::string type, bool log, std::optional<double> low, std::optional<double> high,
                      std::vector<std::string> choices) {
    rungs::store::ParameterInfo p;
    p.name = std::move(name), p.type = std::move(type), p.log = log, p.low = low, p.high = high, p.choices = std::move(choices);
    return p;
  };
  info.space = {parameter("width", "int", false, 8, 128, {}), parameter("lr", "float", true, 1e-4, 1, {}),
                parameter("kind", "categorical", false, std::nullopt, std::nullopt, {"a", "b", "c"})};
  std::mt19937 random(11);  // width and kind: noise, drawn independently of lr
  auto store = CampaignStore::create(dir.path(), info);
  double time = 0;
  for (std::int64_t trial = 1; trial <= 60; ++trial) {
    // lr log-uniform over 1e-4..1 by a fixed low-discrepancy walk; the loss is a valley in
    // log10(lr) at -2, whatever width and kind.
    const double u = std::fmod(trial * 0.6180339887, 1.0);
    const double lr = std::pow(10.0, -4 + 4 * u);
    rungs::store::TrialRow row;
    row.trial = trial;
    row.params = {{"width", 8 + random() % 121}, {"lr", lr}, {"kind", std::string(1, static_cast<char>('a' + random() % 3))}};
    row.state = "running";
    store.append({.time = time, .kind = rungs::store::EventKind::Launch, .trial = trial, .run = trial,
                  .data = {{"bracket", 0}, {"level", 0}, {"units", 1}, {"budget", {{"epochs", 1}}}, {"params", row.params},
                           {"resumed", false}, {"cost", 1}}},
                 &row);
    const double loss = std::pow(std::log10(lr) + 2, 2) + 0.01 * ((trial * 7) % 5);
    row.last_value = loss;
    store.append({.time = time + 1, .kind = rungs::store::EventKind::Report, .trial = trial, .run = trial,
                  .data = {{"level", 0}, {"line", 1}, {"step", 1}, {"value", loss}, {"metrics", {{"loss", loss}}}}},
                 &row);
    row.state = "completed";
    row.values_by_level = {{"0", loss}};
    store.append({.time = time + 2, .kind = rungs::store::EventKind::Exit, .trial = trial, .run = trial,
                  .data = {{"value", loss}, {"stopped_by_scheduler", false}, {"paused", false}, {"exit_code", 0}, {"signal", nullptr},
                           {"timed_out", false}, {"failure", nullptr}}},
                 &row);
    time += 1;  // two runs out at a time: two lanes
  }
  const auto data = rungs::report::report_data(rungs::report::load_snapshot(store, {.curves = true}));
  REQUIRE(data["importance"].size() == 1);
  const auto& scores = data["importance"][0]["scores"];
  CHECK(data["importance"][0]["trials"] == 60);
  CHECK(scores[1].get<double>() > 0.8);
  CHECK(scores[1].get<double>() > 4 * scores[0].get<double>());
  CHECK(scores[1].get<double>() > 4 * scores[2].get<double>());
  // The timeline: runs 2 s long, one launched every second: two lanes.
  std::set<std::int64_t> lanes;
  for (const auto& row : data["runs"]["rows"]) lanes.insert(row[5].get<std::int64_t>());
  CHECK(lanes == std::set<std::int64_t>{0, 1});
  CHECK(data["failures"]["count"] == 0);

  if (!have_chromium()) return;
  const auto page = render(rungs::report::report_command(dir.path()), dir.path());
  check_rendered(page, 60);
  // The importance chart's bars, best first: lr's label comes before width's and kind's.
  const auto importance = std::find_if(page.charts.begin(), page.charts.end(), [](const auto& c) { return c["id"] == "importance"; });
  REQUIRE(importance != page.charts.end());
  CHECK((*importance)["points"] == 3);
}

TEST_CASE("a report written in watch mode says it reloads itself and renders without an error") {
  if (!have_chromium()) return;
  rungs::testing::TempDir dir;
  const auto facts = rungs::testing::write_real_campaign(dir.path()).facts;
  const auto store = CampaignStore::open(dir.path(), true);
  const auto html = dir.path() / "live.html";
  rungs::report::write_html_report(store, html, {.refresh_seconds = 3600});  // no reload within the test's virtual time
  const auto page = render(html, dir.path(), "#trial-1");
  check_rendered(page, facts.trials_with_values.size());
  CHECK(page.run.dom.find("This page reloads every 3600 s while the campaign runs.") != std::string::npos);
  CHECK(trial_view(page.run.dom).find("<h2>Trial 1</h2>") != std::string::npos);
}

TEST_CASE("a campaign with two objectives and a constraint draws its Pareto front, the best is feasible") {
  rungs::testing::TempDir dir;
  rungs::testing::write_file(dir.path() / "c.yaml", R"(name: front
seed: 5
metric: [{name: val_loss, mode: min}, {name: size, mode: min}]
constraints: ["latency <= 0.6"]
space:
  lr: {type: float, low: 1.0e-4, high: 1.0, log: true}
  hidden: {type: int, low: 8, high: 128, log: true}
budget:
  min: 1
  max: 9
  dimensions:
    epochs: {type: int, growth: continued, min: 1, max: 9}
scheduler: {type: hyperband, eta: 3, iterations: 2, max_concurrent: 3}
optimizer: tpe
trial:
  command: [not-needed-in-a-simulation]
)");
  REQUIRE(rungs::testing::run_rungs({"simulate", "c.yaml", "--output", "out", "--quiet"}, dir.path() / "run.log",
                                    dir.path()) == 0);
  const auto store = CampaignStore::open(dir.path() / "out", true);
  const auto snapshot = rungs::report::load_snapshot(store, {.curves = true});
  const auto data = rungs::report::report_data(snapshot);
  REQUIRE(data["objectives"].size() == 2);
  REQUIRE(data["front"].size() >= 1);
  CHECK(data["objective_points"].size() >= data["front"].size());
  // The best run is feasible, and no infeasible trial is offered as a best trial.
  REQUIRE(snapshot.best.has_value());
  for (const auto& run : snapshot.runs)
    if (run.trial == snapshot.best->trial && run.level == snapshot.best->level) CHECK(run.feasible);
  for (const auto& end : data["ends"])
    for (const auto& run : snapshot.runs)
      if (run.trial == end["trial"].get<std::int64_t>() && run.level == end["level"].get<std::int64_t>() && run.ended)
        CHECK(run.feasible);
  if (!have_chromium()) return;
  const auto html = rungs::report::report_command(dir.path() / "out");
  const auto page = render(html, dir.path());
  std::size_t with_reports = 0;
  for (const auto& curve : data["curves"]) with_reports += curve["x"].empty() ? 0 : 1;
  check_rendered(page, with_reports);
  bool drawn = false;
  for (const auto& chart : page.charts)
    if (chart["id"] == "pareto") drawn = chart["points"].get<int>() == static_cast<int>(data["objective_points"].size());
  CHECK(drawn);
}
