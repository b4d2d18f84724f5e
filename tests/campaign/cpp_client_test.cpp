// The C++ trial helper (client/rungs_trial.hpp) reads what rungs hands a resumed run: the
// environment first, the trial directory's params.json when the variable is unset.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <rungs_trial.hpp>
#include <stdlib.h>

#include "test_support.hpp"

using namespace rungs::testing;

TEST_CASE("rungs_trial.hpp: resume_level() from RUNGS_RESUME_LEVEL, else params.json, else nullopt") {
  TempDir dir;
  ::setenv("RUNGS_TRIAL_DIR", dir.path().c_str(), 1);
  ::unsetenv("RUNGS_RESUME_LEVEL");
  CHECK_FALSE(rungs::trial::resume_level().has_value());  // no params.json: a first run
  write_file(dir.path() / "params.json", R"({"trial_id": 4, "resume": true, "resume_level": 2})");
  CHECK(rungs::trial::resume_level() == std::optional<std::size_t>(2));
  ::setenv("RUNGS_RESUME_LEVEL", "5", 1);
  CHECK(rungs::trial::resume_level() == std::optional<std::size_t>(5));  // the environment wins
  for (const char* bad : {"two", "", "3x", "-1"}) {
    ::setenv("RUNGS_RESUME_LEVEL", bad, 1);
    CHECK_THROWS_WITH(rungs::trial::resume_level(),
                      doctest::Contains(fmt::format("RUNGS_RESUME_LEVEL is not a level (0, 1, ...): '{}'", bad).c_str()));
  }
  ::unsetenv("RUNGS_RESUME_LEVEL");
  ::unsetenv("RUNGS_TRIAL_DIR");
}
