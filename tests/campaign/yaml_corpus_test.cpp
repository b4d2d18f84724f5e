// The corpus of broken campaign files (tests/campaign/yaml_corpus/*.yaml). Each file's first
// line says what rungs must answer: "# expect: LINE:COL: KEY: MESSAGE" (the error text after
// the file name; a prefix of it is enough). For every file:
//  - loading it throws a ConfigError whose text starts with "FILE:" + that expectation;
//  - `rungs validate FILE` and `rungs run FILE --output DIR` both exit 2 with that text, and
//    `run` creates no output directory (validate refuses everything run would refuse).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "campaign/campaign_spec.hpp"
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
      campaign::load_campaign(file);
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
