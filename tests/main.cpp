// The one doctest main shared by every test executable (kept out of the libraries: the
// linker would drop TEST_CASEs living in static libraries).
//
// CTest runs each test case alone, by name (--test-case=NAME, doctest_discover_tests). A name
// the discovery mangles (CMake splits it at a ';') selects nothing, and doctest passes a run
// that ran nothing: such a test would pass forever without running. So a run given a
// --test-case filter that selects no test case fails, naming the filter.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <optional>

namespace {

std::optional<unsigned> selected;  // test cases that passed the filters, once a run ended

struct SelectedCount : doctest::IReporter {
  explicit SelectedCount(const doctest::ContextOptions&) {}
  void report_query(const doctest::QueryData&) override {}
  void test_run_start() override {}
  void test_run_end(const doctest::TestRunStats& stats) override { selected = stats.numTestCasesPassingFilters; }
  void test_case_start(const doctest::TestCaseData&) override {}
  void test_case_reenter(const doctest::TestCaseData&) override {}
  void test_case_end(const doctest::CurrentTestCaseStats&) override {}
  void test_case_exception(const doctest::TestCaseException&) override {}
  void subcase_start(const doctest::SubcaseSignature&) override {}
  void subcase_end() override {}
  void log_assert(const doctest::AssertData&) override {}
  void log_message(const doctest::MessageData&) override {}
  void test_case_skipped(const doctest::TestCaseData&) override {}
};
REGISTER_LISTENER("selected-count", 1, SelectedCount);

const char* test_case_filter(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    for (const char* flag : {"--test-case=", "-tc="})
      if (std::strncmp(argv[i], flag, std::strlen(flag)) == 0) return argv[i];
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  doctest::Context context(argc, argv);
  const int result = context.run();
  if (context.shouldExit()) return result;
  const char* filter = test_case_filter(argc, argv);
  if (result == 0 && filter && selected == 0u) {
    std::fprintf(stderr, "%s selects no test case: a test case's name may have been split (no ';' in names)\n", filter);
    return 1;
  }
  return result;
}
