// Default results folders are named to the second (runs/NAME-YYYYMMDD-HHMMSS): two campaigns
// started in the same second must still get a folder each, never share one (the second was
// refused, or resumed the first and "simulated 0 trials").
#include <doctest/doctest.h>

#include <future>
#include <set>
#include <string>
#include <vector>

#include "campaign/campaign_directory.hpp"
#include "test_support.hpp"

using namespace rungs;
using namespace rungs::testing;
namespace fs = std::filesystem;

TEST_CASE("output names: a name that exists gets a counter suffix, each claim a new empty folder") {
  TempDir dir;
  const auto wanted = dir.path() / "runs" / "quick-20261202-101010";
  CHECK(campaign::claim_new_directory(wanted) == wanted);  // parents are made
  CHECK(campaign::claim_new_directory(wanted) == fs::path(wanted.string() + "-2"));
  CHECK(campaign::claim_new_directory(wanted) == fs::path(wanted.string() + "-3"));
  std::ofstream(dir.path() / "runs" / "quick-20261202-101010-4") << "a file in the way\n";
  CHECK(campaign::claim_new_directory(wanted) == fs::path(wanted.string() + "-5"));
  for (const char* name : {"quick-20261202-101010", "quick-20261202-101010-2", "quick-20261202-101010-5"})
    CHECK(fs::is_empty(dir.path() / "runs" / name));
}

TEST_CASE("output names: claims racing for one name each get their own folder") {
  TempDir dir;
  const auto wanted = dir.path() / "race";
  std::vector<std::future<fs::path>> claims;
  for (int i = 0; i < 8; ++i)
    claims.push_back(std::async(std::launch::async, [&wanted] { return campaign::claim_new_directory(wanted); }));
  std::set<fs::path> made;
  for (auto& claim : claims) made.insert(claim.get());
  CHECK(made.size() == 8);
}

TEST_CASE("output names: two `rungs simulate` started together without --output both simulate, in two folders") {
  TempDir dir;
  const std::string campaign = std::string(RUNGS_SOURCE_DIR) + "/examples/01_quickstart/campaign.yaml";
  // Started back to back: most often in the same second, which made them share one folder.
  const auto first = spawn_rungs({"simulate", campaign, "-q"}, dir.path() / "log1", dir.path());
  const auto second = spawn_rungs({"simulate", campaign, "-q"}, dir.path() / "log2", dir.path());
  CHECK(wait_exit(first) == 0);
  CHECK(wait_exit(second) == 0);
  std::set<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(dir.path() / "runs")) {
    folders.insert(entry.path());
    CHECK(fs::exists(entry.path() / "rungs.db"));
  }
  CHECK(folders.size() == 2);
  // Both simulated the whole campaign, the same one (same seed, virtual clock).
  std::vector<std::string> summaries;
  for (const char* log : {"log1", "log2"}) {
    const auto text = read_file(dir.path() / log);
    CAPTURE(text);
    const auto at = text.find("Simulated ");
    REQUIRE(at != std::string::npos);
    summaries.push_back(text.substr(at, text.find(" on ", at) - at));  // "Simulated N trials (M runs)"
  }
  CHECK(summaries[0] == summaries[1]);
}
