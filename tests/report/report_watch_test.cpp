// `rungs report --watch` (report/commands.hpp, watch_report): the file is rewritten while a
// campaign runs (holding its lock, campaign/campaign_lock.hpp) and written once more, without
// the self-reload, when it ends.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "campaign/campaign_lock.hpp"
#include "report/commands.hpp"
#include "store/store.hpp"
#include "tests/campaign/test_support.hpp"

namespace {

namespace fs = std::filesystem;
using rungs::store::CampaignStore;
using rungs::store::EventKind;

// "trials":N of the campaign object in the report's embedded data.
long trials_in(const std::string& html) {
  std::smatch match;
  if (!std::regex_search(html, match, std::regex("\"campaign\":\\{.*?\"trials\":(\\d+),"))) return -1;
  return std::stol(match[1]);
}

bool refreshing(const std::string& html) { return html.find("\"refresh\":0.05") != std::string::npos; }

}  // namespace

TEST_CASE("report --watch rewrites the file while the campaign runs, then writes its final state once it ends") {
  rungs::testing::TempDir dir;
  rungs::store::CampaignInfo info;
  info.name = "watched";
  info.metric = "loss";
  CampaignStore::create(dir.path(), info);

  // The campaign: holds its lock, launches a trial every 30 ms (40 of them), then lets go.
  std::atomic<bool> started = false;
  std::thread campaign([&] {
    auto lock = rungs::campaign::CampaignLock::acquire(dir.path());
    auto store = CampaignStore::open(dir.path());
    started = true;
    for (std::int64_t trial = 1; trial <= 40; ++trial) {
      rungs::store::TrialRow row;
      row.trial = trial;
      row.params = {{"x", trial}};
      row.state = "running";
      store.append({.time = static_cast<double>(trial), .kind = EventKind::Launch, .trial = trial, .run = trial,
                    .data = {{"bracket", 0}, {"level", 0}, {"units", 1}, {"budget", {{"epochs", 1}}}, {"params", row.params},
                             {"resumed", false}, {"cost", 1}}},
                   &row);
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
    }
  });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  struct Write {
    long trials;
    bool refresh;
    bool last;
  };
  std::vector<Write> writes;
  const auto file = rungs::report::watch_report(
      dir.path(), dir.path() / "live.html", 0.05, [&] { return rungs::campaign::CampaignLock::held(dir.path()); },
      [&](const fs::path& written, bool last) {
        const auto html = rungs::testing::read_file(written);
        writes.push_back({trials_in(html), refreshing(html), last});
      });
  campaign.join();
  CHECK(file == dir.path() / "live.html");
  REQUIRE(writes.size() >= 3);
  // While it ran: pages that reload themselves, with more trials as time went on.
  for (std::size_t i = 0; i + 1 < writes.size(); ++i) {
    CHECK(writes[i].refresh);
    CHECK_FALSE(writes[i].last);
    CHECK(writes[i].trials <= writes[i + 1].trials);
  }
  CHECK(writes.front().trials >= 0);
  CHECK(writes.front().trials < 40);
  // The last: every trial, and no reload any more.
  CHECK(writes.back().last);
  CHECK(writes.back().trials == 40);
  CHECK_FALSE(writes.back().refresh);
  const auto final_html = rungs::testing::read_file(file);
  CHECK(trials_in(final_html) == 40);
  CHECK(final_html.find("\"refresh\":null") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "live.html.partial"));
}
