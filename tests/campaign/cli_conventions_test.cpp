// The `rungs` command's conventions, run as a user runs it: --version, unknown commands,
// --help with an example and the exit codes.
#include <doctest/doctest.h>

#include <string>

#include "test_support.hpp"

using namespace rungs::testing;

TEST_CASE("rungs --version prints the project's version and exits 0") {
  TempDir dir;
  CHECK(run_rungs({"--version"}, dir.path() / "log", dir.path()) == 0);
  CHECK(read_file(dir.path() / "log") == std::string("rungs ") + RUNGS_VERSION + "\n");
}

TEST_CASE("rungs stauts: unknown command, with the closest one suggested, exit 2") {
  TempDir dir;
  CHECK(run_rungs({"stauts", "somewhere"}, dir.path() / "log", dir.path()) == 2);
  const auto log = read_file(dir.path() / "log");
  CHECK(log.find("unknown command 'stauts'; did you mean 'status'?") != std::string::npos);
  CHECK(log.find("A subcommand is required") == std::string::npos);

  CHECK(run_rungs({"deploy"}, dir.path() / "log2", dir.path()) == 2);
  CHECK(read_file(dir.path() / "log2").find("unknown command 'deploy'; commands: run, simulate") != std::string::npos);
}

TEST_CASE("rungs SUBCOMMAND --help shows an example and the exit codes") {
  TempDir dir;
  for (const std::string command : {"run", "simulate", "resume", "status", "report", "export", "validate"}) {
    CAPTURE(command);
    CHECK(run_rungs({command, "--help"}, dir.path() / "log", dir.path()) == 0);
    const auto help = read_file(dir.path() / "log");
    CHECK(help.find("Example:\n  rungs " + command + " ") != std::string::npos);
    CHECK(help.find("Exit codes: 0 done") != std::string::npos);
    CHECK(help.find("3 the campaign ended and no trial succeeded") != std::string::npos);
  }
}
