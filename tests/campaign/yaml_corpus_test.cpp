// The corpus of broken campaign files (tests/campaign/yaml_corpus/*.yaml). Each file's first
// line says what rungs must answer: "# expect: LINE:COL: KEY: MESSAGE" (the error text after
// the file name; a prefix of it is enough). For every file:
//  - reading it as `validate` does (campaign::load_checked_campaign) throws a ConfigError whose
//    text starts with "FILE:" + that expectation;
//  - `rungs validate FILE` and `rungs run FILE --output DIR` both exit 2 with that text, and
//    `run` creates no output directory (validate refuses everything run would refuse).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "campaign/campaign_spec.hpp"
#include "campaign/commands.hpp"
#include "campaign/config_error.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;
using namespace rungs;

namespace {

const fs::path kCorpus = fs::path(RUNGS_SOURCE_DIR) / "tests" / "campaign" / "yaml_corpus";

std::vector<fs::path> corpus_files() {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(kCorpus))
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::string expectation(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::string first;
  std::getline(in, first);
  const std::string tag = "# expect: ";
  REQUIRE_MESSAGE(first.rfind(tag, 0) == 0, file.filename().string() << " has no '# expect:' first line");
  return first.substr(tag.size());
}

}  // namespace

TEST_CASE("yaml corpus: every broken file is refused with its file, line, column and key") {
  const auto files = corpus_files();
  REQUIRE(files.size() >= 6);
  for (const auto& file : files) {
    CAPTURE(file.filename().string());
    const std::string expected = file.string() + ":" + expectation(file);
    std::string message;
    try {
      campaign::load_checked_campaign(file.string());
    } catch (const campaign::ConfigError& e) {
      message = e.what();
    }
    CHECK_MESSAGE(message.rfind(expected, 0) == 0, "got: " << message << "\nexpected: " << expected);
  }
}

TEST_CASE("yaml corpus: validate and run refuse the same files with exit 2, before any output directory exists") {
  testing::TempDir dir;
  for (const auto& file : corpus_files()) {
    CAPTURE(file.filename().string());
    const std::string expected = file.string() + ":" + expectation(file);
    const auto log = dir.path() / "validate.log";
    CHECK(testing::run_rungs({"validate", file.string()}, log, dir.path()) == 2);
    CHECK(testing::read_file(log).find(expected) != std::string::npos);
    const auto output = dir.path() / ("out-" + file.stem().string());
    CHECK(testing::run_rungs({"run", file.string(), "--output", output.string(), "--quiet"}, log, dir.path()) == 2);
    CHECK(testing::read_file(log).find(expected) != std::string::npos);
    CHECK_FALSE(fs::exists(output));
  }
}

TEST_CASE("campaign name: without a name: key, the file's stem is made safe rather than refused") {
  testing::TempDir dir;
  const auto file = dir.path() / "my campaign (v2).yaml";
  const std::string text = testing::read_file(kCorpus / "duplicate_top_level_key.yaml");
  // The corpus file minus its name: line and its duplicate metric: a valid campaign.
  std::string valid;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);)
    if (++number != 3 && number != 12) valid += line + "\n";
  testing::write_file(file, valid);
  CHECK(campaign::load_campaign(file).name == "my_campaign__v2_");
}
