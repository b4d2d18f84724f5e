// LocalRunner against the fake trial program: reports, exits, crashes, timeouts, stop with
// grace, process groups and grandchildren, literal arguments, environment, stderr, launch
// failures, concurrency, shutdown, pause/resume. Every wait is bounded by a generous deadline
// (tests/test_deadline.hpp); elapsed times are only checked from below (a limit never fires
// early): how soon a timer fires belongs to bench/, the accounting to run_limits_test.cpp.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "runners/command_template.hpp"
#include "runners/local_runner.hpp"
#include "runners/program_lookup.hpp"
#include "runners/report_parser.hpp"
#include "tests/test_deadline.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using rungs::runners::ExitStatus;
using rungs::runners::LaunchSpec;
using rungs::runners::LocalRunner;
using rungs::runners::LocalRunnerOptions;
using rungs::runners::RunCallbacks;
using rungs::runners::RunId;
using Clock = std::chrono::steady_clock;
using Kind = ExitStatus::Kind;
using rungs::testing::deadline;

namespace {

const fs::path bin_dir = RUNGS_BIN_DIR;

std::string fake_trial() { return (bin_dir / "fake_trial").string(); }

// What one run told us, in the order it told us.
struct Outcome {
  std::vector<std::string> lines;
  std::optional<ExitStatus> exit;
  int exit_calls = 0;
  bool line_after_exit = false;
  Clock::time_point exit_time;
};

RunCallbacks record(Outcome& outcome, std::function<void(std::string_view)> also = {}) {
  return {[&outcome, also](std::string_view line) {
            outcome.line_after_exit = outcome.line_after_exit || outcome.exit.has_value();
            outcome.lines.emplace_back(line);
            if (also) {
              also(line);
            }
          },
          [&outcome](const ExitStatus& status) {
            ++outcome.exit_calls;
            outcome.exit = status;
            outcome.exit_time = Clock::now();
          }};
}

// Runs the loop until `done` holds or `limit` passes; returns whether `done` holds. A limit
// is a guard against hangs (scaled by deadline()), or, with a `done` that never holds, the
// time to let pass.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = deadline(5000ms)) {
  const auto end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= end) {
      return false;
    }
    if (io.stopped()) {
      io.restart();
    }
    if (io.run_one_for(20ms) == 0 && io.stopped()) {
      std::this_thread::sleep_for(1ms);  // no work at all: do not spin
    }
  }
  return true;
}

LaunchSpec fake(std::vector<std::string> args) {
  LaunchSpec spec;
  spec.argv = {fake_trial()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.grace = 300ms;
  return spec;
}

// A fresh directory removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() /
           fmt::format("rungs-runner-test-{}-{}", ::getpid(), counter++);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The pid a fake trial wrote to `path` (waiting for it, bounded), or -1.
pid_t read_pid(const fs::path& path) {
  const auto end = Clock::now() + deadline(2000ms);
  while (!fs::exists(path) && Clock::now() < end) {
    std::this_thread::sleep_for(5ms);
  }
  const std::string text = read_file(path);
  return text.empty() ? -1 : static_cast<pid_t>(std::stoi(text));
}

// Orphaned grandchildren are reparented to this test process instead of init, so we can
// reap them and see exactly how they died.
void become_subreaper() { REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0); }

// The state letter of /proc/PID/stat ('R', 'S', 'T' for stopped, 'Z'...), '?' if unreadable.
char proc_state(pid_t pid) {
  const std::string stat = read_file(fmt::format("/proc/{}/stat", pid));
  const auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() ? stat[close + 2] : '?';
}

bool process_gone(pid_t pid) {
  return ::kill(pid, 0) == -1 && errno == ESRCH;
}

// Gone, or a zombie nobody reaped yet (its parent, the run's supervisor, may be exiting).
bool process_ended(pid_t pid) {
  return process_gone(pid) || proc_state(pid) == 'Z' || proc_state(pid) == '?';
}

// The trial's pid once its supervisor reported it (bounded wait), or -1.
pid_t trial_pid(boost::asio::io_context& io, const LocalRunner& runner, RunId id) {
  run_until(io, [&] { return runner.pid_of(id) > 0; });
  return runner.pid_of(id);
}

std::chrono::milliseconds since(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(end - start);
}

// A run asked to stop at `stop_time` that ignored SIGTERM: SIGKILLed once `grace` was over
// (not before; how soon after is the machine's business).
void check_killed_after_grace(const Outcome& out, Clock::time_point stop_time, std::chrono::milliseconds grace) {
  REQUIRE(out.exit.has_value());
  CHECK(out.exit->kind == Kind::Signaled);
  CHECK(out.exit->signal == SIGKILL);
  CHECK(out.exit->stopped);
  CHECK_FALSE(out.exit->timed_out);
  const auto took = since(stop_time, out.exit_time);
  CHECK(took >= grace);
}

}  // namespace

TEST_CASE("runners/local: report lines arrive in order, the last one without a newline") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  runner.launch(fake({"report", "5", "--sleep-ms", "5", "--no-final-newline"}), record(out));
  CHECK(runner.running() == 1);
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));

  CHECK(out.exit_calls == 1);
  CHECK_FALSE(out.line_after_exit);
  CHECK(out.exit->kind == Kind::Exited);
  CHECK(out.exit->code == 0);
  CHECK(rungs::runners::succeeded(*out.exit));
  CHECK(runner.running() == 0);
  const rungs::runners::ReportParser parser;
  REQUIRE(out.lines.size() == 5);
  for (int i = 0; i < 5; ++i) {
    const auto result = parser.parse(out.lines[static_cast<std::size_t>(i)]);
    REQUIRE(std::holds_alternative<rungs::runners::Report>(result));
    CHECK(std::get<rungs::runners::Report>(result).step == i + 1);
  }
  // Nothing more happens afterwards.
  run_until(io, [] { return false; }, 50ms);
  CHECK(out.exit_calls == 1);
}

TEST_CASE("runners/local: garbage output is survivable, the valid report still counts") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  runner.launch(fake({"garbage"}), record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->kind == Kind::Exited);
  CHECK(out.exit->code == 0);
  REQUIRE(out.lines.size() == 5);

  const rungs::runners::ReportParser parser;
  int errors = 0, reports = 0, plain = 0;
  for (const auto& line : out.lines) {
    const auto result = parser.parse(line);
    errors += std::holds_alternative<rungs::runners::ParseError>(result) ? 1 : 0;
    reports += std::holds_alternative<rungs::runners::Report>(result) ? 1 : 0;
    plain += std::holds_alternative<std::monostate>(result) ? 1 : 0;
  }
  CHECK(errors == 2);  // "{not json" and a JSON array
  CHECK(plain == 2);   // a log line and binary junk
  CHECK(reports == 1);
}

TEST_CASE("runners/local: exit codes and crashes are recorded") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome three, zero, crash;
  runner.launch(fake({"exit", "3"}), record(three));
  runner.launch(fake({"exit", "0"}), record(zero));
  runner.launch(fake({"crash"}), record(crash));
  REQUIRE(run_until(io, [&] { return runner.running() == 0; }));

  CHECK(three.exit->kind == Kind::Exited);
  CHECK(three.exit->code == 3);
  CHECK(three.exit->signal == 0);
  CHECK_FALSE(rungs::runners::succeeded(*three.exit));
  CHECK(zero.exit->kind == Kind::Exited);
  CHECK(zero.exit->code == 0);

  CHECK(crash.exit->kind == Kind::Signaled);
  CHECK(crash.exit->signal == SIGABRT);
  CHECK_FALSE(crash.exit->stopped);
  CHECK(rungs::runners::describe(*crash.exit).find("SIGABRT") != std::string::npos);
  // The report printed before the crash is not lost.
  REQUIRE(crash.lines.size() == 1);
  CHECK(crash.lines[0].find("@rungs") == 0);
}

TEST_CASE("runners/local: a timeout stops a hanging trial") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"hang"});
  spec.timeout = 300ms;
  runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));

  CHECK(out.exit->timed_out);
  CHECK(out.exit->stopped);
  CHECK(out.exit->kind == Kind::Signaled);
  CHECK(out.exit->signal == SIGTERM);  // it obeyed SIGTERM: no SIGKILL needed
  CHECK(out.exit->duration >= 300ms);
  CHECK(rungs::runners::describe(*out.exit).find("timeout") != std::string::npos);
}

TEST_CASE("runners/local: a trial ignoring SIGTERM is SIGKILLed after the grace period") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"ignore-term"});
  spec.grace = 400ms;
  spec.timeout = 10s;  // must not be what ends it
  RunId id = 0;
  Clock::time_point stop_time;
  id = runner.launch(spec, record(out, [&](std::string_view line) {
                       if (line == "ready") {  // SIGTERM is ignored from here on
                         stop_time = Clock::now();
                         runner.stop(id);
                         runner.stop(id);  // a second stop does not restart the grace
                       }
                     }));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  check_killed_after_grace(out, stop_time, 400ms);
}

TEST_CASE("runners/local: no grandchild survives the trial's normal exit") {
  become_subreaper();
  TempDir dir;
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  const auto pidfile = dir.path / "grandchild.pid";
  pid_t grandchild = -1;
  runner.launch(fake({"fork-grandchild", pidfile.string(), "exit"}),
                {[&](std::string_view line) { out.lines.emplace_back(line); },
                 [&](const ExitStatus& status) {
                   out.exit = status;
                   grandchild = read_pid(pidfile);
                   out.line_after_exit = process_gone(grandchild);  // already, when on_exit comes
                 }});
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->kind == Kind::Exited);
  CHECK(out.exit->code == 0);
  CHECK(out.exit->error.empty());
  CHECK(out.lines == std::vector<std::string>{"ready"});

  REQUIRE(grandchild > 0);
  CHECK(out.line_after_exit);  // here: the grandchild was gone before on_exit
  CHECK(process_gone(grandchild));
}

TEST_CASE("runners/local: stop reaches the whole process group") {
  become_subreaper();
  TempDir dir;
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  const auto pidfile = dir.path / "grandchild.pid";
  auto spec = fake({"fork-grandchild", pidfile.string(), "hang"});
  spec.grace = 600s;  // longer than any wait here: only the leader's exit can kill the grandchild
  RunId id = 0;
  Clock::time_point stop_time;
  id = runner.launch(spec, record(out, [&](std::string_view line) {
                       if (line == "ready") {
                         stop_time = Clock::now();
                         runner.stop(id);
                       }
                     }));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->kind == Kind::Signaled);
  CHECK(out.exit->signal == SIGTERM);
  CHECK(out.exit->stopped);
  // The leader obeyed SIGTERM; the grandchild ignores it and dies with the leader's exit, not
  // at the end of the grace (the run ended long before it) and not by the drain timeout.
  CHECK(out.exit->error.empty());
  CHECK(since(stop_time, out.exit_time) < spec.grace);
  const pid_t grandchild = read_pid(pidfile);
  REQUIRE(grandchild > 0);
  CHECK(process_gone(grandchild));  // reaped by the run's supervisor before it ended
}

TEST_CASE("runners/local: a process that leaves the group and session ends with the run") {
  TempDir dir;
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  const auto pidfile = dir.path / "escaped.pid";
  runner.launch(fake({"escape", pidfile.string()}), record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->kind == Kind::Exited);
  CHECK(out.exit->code == 0);
  CHECK(out.exit->error.empty());
  CHECK(out.lines == std::vector<std::string>{"ready"});
  // It called setsid() and holds stdout: the supervisor, its subreaper, killed it anyway.
  const pid_t escaped = read_pid(pidfile);
  REQUIRE(escaped > 0);
  CHECK(process_gone(escaped));
}

TEST_CASE("runners/local: arguments arrive literally, with no shell involved") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  const std::vector<std::string> tmpl = {fake_trial(), "echo-args", "{v}", "--opt={v}",
                                         "$HOME",      "*",         "a b",  "",
                                         "\"q\" 'q'",  "`id`"};
  const auto argv = rungs::runners::expand(tmpl, {{"v", "; rm -rf /tmp/x"}});
  LaunchSpec spec;
  spec.argv = argv;
  runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  REQUIRE(out.exit->kind == Kind::Exited);

  std::vector<std::string> received;
  for (const auto& line : out.lines) {
    received.push_back(nlohmann::json::parse(line).get<std::string>());
  }
  const std::vector<std::string> expected(argv.begin() + 2, argv.end());
  CHECK(received == expected);
  CHECK(received.front() == "; rm -rf /tmp/x");
}

TEST_CASE("runners/local: environment variables reach the child, on top of ours") {
  ::setenv("RUNGS_TEST_INHERITED", "from-parent", 1);
  ::setenv("RUNGS_TEST_OVERRIDDEN", "old", 1);
  ::unsetenv("RUNGS_TEST_MISSING");
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"env", "RUNGS_TEST_GIVEN", "RUNGS_TEST_INHERITED", "RUNGS_TEST_OVERRIDDEN",
                    "RUNGS_TEST_MISSING"});
  spec.env = {{"RUNGS_TEST_GIVEN", "a value; with $pecial chars"},
              {"RUNGS_TEST_OVERRIDDEN", "new"}};
  runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.lines == std::vector<std::string>{
                         "RUNGS_TEST_GIVEN=a value; with $pecial chars",
                         "RUNGS_TEST_INHERITED=from-parent", "RUNGS_TEST_OVERRIDDEN=new",
                         "RUNGS_TEST_MISSING unset"});
}

TEST_CASE("runners/local: stderr is appended to the given file") {
  TempDir dir;
  const auto log = dir.path / "stderr.log";
  std::ofstream(log) << "previous\n";
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"stderr", "something went wrong"});
  spec.stderr_path = log;
  runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.lines == std::vector<std::string>{"done"});  // stdout untouched
  CHECK(read_file(log) == "previous\nsomething went wrong\n");
}

TEST_CASE("runners/local: launch failures arrive through on_exit, never as exceptions") {
  TempDir dir;
  const auto not_executable = dir.path / "not-executable";
  std::ofstream(not_executable) << "#!/bin/sh\n";
  const auto no_shebang = dir.path / "no-shebang";
  std::ofstream(no_shebang) << "this is not a program\n";
  fs::permissions(no_shebang, fs::perms::owner_all);

  struct Case {
    LaunchSpec spec;
    std::string expect_in_error;
  };
  const auto command = [](std::vector<std::string> argv) {
    LaunchSpec spec;
    spec.argv = std::move(argv);
    return spec;
  };
  std::vector<Case> cases;
  cases.push_back({command({"rungs-no-such-program-xyz"}), "rungs-no-such-program-xyz"});
  cases.push_back({command({"/no/such/dir/prog"}), "not found"});
  cases.push_back({command({not_executable.string()}), "not executable"});
  cases.push_back({command({no_shebang.string()}), "#!"});  // execve fails in the child
  cases.push_back({command({}), "empty command"});
  auto missing_dir = fake({"exit", "0"});
  missing_dir.working_dir = dir.path / "missing";
  cases.push_back({missing_dir, "working directory"});
  auto bad_stderr = fake({"exit", "0"});
  bad_stderr.stderr_path = dir.path / "missing" / "err.log";
  cases.push_back({bad_stderr, "stderr"});
  auto bad_env = fake({"exit", "0"});
  bad_env.env = {{"A=B", "c"}};
  cases.push_back({bad_env, "environment"});

  boost::asio::io_context io;
  LocalRunner runner(io);
  std::vector<Outcome> outcomes(cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CHECK_NOTHROW(runner.launch(cases[i].spec, record(outcomes[i])));
  }
  // Reported from the event loop, not from inside launch().
  CHECK(runner.running() == cases.size());
  for (const auto& outcome : outcomes) {
    CHECK(outcome.exit_calls == 0);
  }
  REQUIRE(run_until(io, [&] { return runner.running() == 0; }));
  for (std::size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(i);
    REQUIRE(outcomes[i].exit.has_value());
    CHECK(outcomes[i].exit_calls == 1);
    CHECK(outcomes[i].exit->kind == Kind::LaunchFailed);
    CAPTURE(outcomes[i].exit->error);
    CHECK(outcomes[i].exit->error.find(cases[i].expect_in_error) != std::string::npos);
  }
  // A child whose exec failed was reaped: we have no children left at all.
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
}

TEST_CASE("runners/local: eight concurrent runs all complete") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  std::vector<Outcome> outcomes(8);
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    runner.launch(fake({"report", "20", "--sleep-ms", "5", "--metric", fmt::format("m{}", i)}),
                  record(outcomes[i]));
  }
  CHECK(runner.running() == 8);
  REQUIRE(run_until(io, [&] { return runner.running() == 0; }));
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    CAPTURE(i);
    CHECK(outcomes[i].exit_calls == 1);
    CHECK(outcomes[i].exit->kind == Kind::Exited);
    REQUIRE(outcomes[i].lines.size() == 20);
    for (std::size_t step = 0; step < 20; ++step) {
      // Each run's own lines, in order: "{"step": k, "mi": ...}".
      // (fmt rather than "literal" + std::string: GCC 12 -Wrestrict false positive)
      CHECK(outcomes[i].lines[step].find(fmt::format("\"step\": {},", step + 1)) !=
            std::string::npos);
      CHECK(outcomes[i].lines[step].find(fmt::format("\"m{}\"", i)) != std::string::npos);
    }
  }
}

TEST_CASE("runners/local: stop_all stops every run") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  std::vector<Outcome> outcomes(4);
  int ready = 0;
  for (auto& outcome : outcomes) {
    runner.launch(fake({"hang"}), record(outcome, [&](std::string_view) { ++ready; }));
  }
  REQUIRE(run_until(io, [&] { return ready == 4; }));
  runner.stop_all();
  REQUIRE(run_until(io, [&] { return runner.running() == 0; }));
  for (const auto& outcome : outcomes) {
    CHECK(outcome.exit->kind == Kind::Signaled);
    CHECK(outcome.exit->signal == SIGTERM);
    CHECK(outcome.exit->stopped);
  }
  // Stopping unknown or finished runs is harmless.
  runner.stop(12345);
  runner.stop(1);
  runner.stop_all();
}

TEST_CASE("runners/local: destroying the runner kills and reaps what still runs") {
  boost::asio::io_context io;
  std::vector<pid_t> pids;
  Outcome a, b;
  {
    LocalRunner runner(io);
    const auto first = runner.launch(fake({"hang"}), record(a));
    const auto second = runner.launch(fake({"ignore-term"}), record(b));
    REQUIRE(run_until(io, [&] { return a.lines.size() == 1 && b.lines.size() == 1; }));
    pids = {trial_pid(io, runner, first), trial_pid(io, runner, second)};
  }  // ~LocalRunner: SIGKILL to both trees, no grace, waits for the supervisors
  for (const pid_t pid : pids) {
    CHECK(pid > 0);
    CHECK(process_gone(pid));  // reaped, not even a zombie
  }
  // Late completions queued in the loop do nothing, and no callback fires.
  run_until(io, [] { return false; }, 50ms);
  CHECK(a.exit_calls == 0);
  CHECK(b.exit_calls == 0);
}

TEST_CASE("runners/local: on_exit may launch the next run") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome first, second;
  runner.launch(fake({"exit", "1"}), {nullptr, [&](const ExitStatus& status) {
                                        first.exit = status;
                                        runner.launch(fake({"exit", "2"}), record(second));
                                      }});
  REQUIRE(run_until(io, [&] { return second.exit.has_value(); }));
  CHECK(first.exit->code == 1);
  CHECK(second.exit->code == 2);
  CHECK(runner.running() == 0);
}

TEST_CASE("runners/local: the trial starts clean") {
  // Blocked and ignored signals survive exec; descriptors without close-on-exec too.
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction old_usr1 {};
  ::sigaction(SIGUSR1, &ignore, &old_usr1);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  ::sigprocmask(SIG_BLOCK, &block, &old_mask);
  const int leaked = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC

  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome busy, fds, signals, group;
  runner.launch(fake({"hang"}), record(busy));  // another run's descriptors exist meanwhile
  REQUIRE(run_until(io, [&] { return busy.lines.size() == 1; }));
  runner.launch(fake({"fds"}), record(fds));
  runner.launch(fake({"signals"}), record(signals));
  runner.launch(fake({"pgid"}), record(group));
  REQUIRE(run_until(io, [&] { return fds.exit && signals.exit && group.exit; }));
  runner.stop_all();
  REQUIRE(run_until(io, [&] { return runner.running() == 0; }));

  ::close(leaked);
  ::sigprocmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGUSR1, &old_usr1, nullptr);

  CHECK(fds.lines == std::vector<std::string>{"fd 0", "fd 1", "fd 2"});
  CHECK(signals.lines == std::vector<std::string>{"SIGUSR1 default", "SIGUSR2 unblocked"});
  REQUIRE(group.lines.size() == 1);
  // Its own process group: pid == pgid, and not ours.
  const auto& line = group.lines[0];
  const auto pid = line.substr(4, line.find(' ') - 4);
  const auto pgid = line.substr(line.find("pgid=") + 5);
  CHECK(pid == pgid);
  CHECK(pgid != std::to_string(::getpgrp()));
}

TEST_CASE("runners/local: stdout lines of any length, capped by the option") {
  boost::asio::io_context io;
  LocalRunnerOptions options;
  options.max_line_bytes = 1000;
  LocalRunner capped(io, options);
  LocalRunner uncapped(io);
  Outcome small, large;
  capped.launch(fake({"long-line", "5000"}), record(small));
  uncapped.launch(fake({"long-line", "300000"}), record(large));  // several pipe reads
  REQUIRE(run_until(io, [&] { return small.exit && large.exit; }));

  REQUIRE(small.lines.size() == 2);
  CHECK(small.lines[0] == std::string(1000, 'x'));  // truncated, rest dropped
  CHECK(small.lines[1].find("@rungs") == 0);        // the next line is intact
  REQUIRE(large.lines.size() == 2);
  CHECK(large.lines[0] == std::string(300000, 'x'));
}

TEST_CASE("runners/local: working directory and relative program paths") {
  TempDir dir;
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome relative, pwd;
  LaunchSpec spec;
  spec.argv = {"./fake_trial", "exit", "4"};  // relative to the working directory
  spec.working_dir = bin_dir;
  runner.launch(spec, record(relative));
  LaunchSpec in_dir;
  in_dir.argv = {"pwd"};  // found in PATH
  in_dir.working_dir = dir.path;
  runner.launch(in_dir, record(pwd));
  REQUIRE(run_until(io, [&] { return relative.exit && pwd.exit; }));
  CHECK(relative.exit->kind == Kind::Exited);
  CHECK(relative.exit->code == 4);
  REQUIRE(pwd.lines.size() == 1);
  CHECK(fs::equivalent(pwd.lines[0], dir.path));
}

TEST_CASE("runners/local: programs are found in PATH, then in the extra directories") {
  using rungs::runners::resolve_program;
  const auto sh = resolve_program("sh", {});
  CHECK(sh.is_absolute());
  CHECK(fs::exists(sh));
  CHECK(resolve_program("fake_trial", {bin_dir}) == bin_dir / "fake_trial");
  CHECK(resolve_program("./x/y", {}) == fs::path("./x/y"));  // a path is the caller's business
  CHECK_THROWS_AS(resolve_program("", {}), std::invalid_argument);
  try {
    resolve_program("rungs-no-such-program-xyz", {bin_dir});
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CHECK(what.find("rungs-no-such-program-xyz") != std::string::npos);
    CHECK(what.find(bin_dir.string()) != std::string::npos);
  }

  TempDir dir;
  std::ofstream(dir.path / "tool") << "#!/bin/sh\n";  // exists, not executable
  try {
    resolve_program("tool", {dir.path});
    FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()).find("not executable") != std::string::npos);
  }
  fs::permissions(dir.path / "tool", fs::perms::owner_all);
  CHECK(resolve_program("tool", {dir.path}) == dir.path / "tool");

  // With the runner: a bare name resolved through LocalRunnerOptions::program_dirs.
  boost::asio::io_context io;
  LocalRunnerOptions options;
  options.program_dirs = {bin_dir};
  LocalRunner runner(io, options);
  Outcome out;
  LaunchSpec spec;
  spec.argv = {"fake_trial", "exit", "5"};
  runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->code == 5);
}

TEST_CASE("runners/local: trials die with rungs, even when rungs is SIGKILLed") {
  become_subreaper();  // the orphaned trial comes to us, so we can see how it died
  TempDir dir;
  const auto pidfile = dir.path / "trial.pid";
  // A stand-in for rungs: a forked copy of this process that starts a trial and hangs.
  const pid_t rungs = ::fork();
  REQUIRE(rungs != -1);
  if (rungs == 0) {
    boost::asio::io_context io;
    LocalRunner runner(io);
    Outcome out;
    const auto id = runner.launch(fake({"hang"}), record(out));
    if (!run_until(io, [&] { return out.lines.size() == 1; })) {
      ::_exit(1);
    }
    std::ofstream(dir.path / "tmp.pid") << trial_pid(io, runner, id) << "\n";
    fs::rename(dir.path / "tmp.pid", pidfile);
    while (true) {
      ::pause();
    }
  }
  const pid_t trial = read_pid(pidfile);
  ::kill(rungs, SIGKILL);
  REQUIRE(::waitpid(rungs, nullptr, 0) == rungs);
  REQUIRE(trial > 0);
  // Its supervisor saw EOF on its control socket: TERM, which "hang" obeys. The trial is the
  // supervisor's child (reaped by it), the supervisor now ours.
  const auto end = Clock::now() + deadline(2000ms);
  while (!process_ended(trial) && Clock::now() < end) {
    std::this_thread::sleep_for(5ms);
  }
  CHECK(process_ended(trial));
}

// Regression: a pidfd wakeup is not proof of exit. Asio's epoll reactor recycles its
// per-descriptor state, so readiness harvested for a descriptor closed before dispatch (a
// finished run's pidfd) could complete the exit wait of a fresh run, whose group was then
// SIGKILLed right after its start ("killed by SIGKILL (0.0 s)", ~1 run in 1,500 under
// churn). Thousands of short runs, relaunched from on_exit in bursts as a campaign does at a
// rung's end: all exit 0.
TEST_CASE("runners/local: churn of short runs, none is killed by the runner") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  constexpr int kRuns = 2000;
  constexpr int kConcurrency = 32;
  constexpr int kBurst = 8;
  int launched = 0;
  int owed = 0;
  int finished = 0;
  std::vector<std::string> failures;
  std::function<void()> launch_one = [&] {
    const int number = ++launched;
    LaunchSpec spec;
    spec.argv = {"/bin/echo", fmt::format("run {}", number)};
    auto lines = std::make_shared<int>(0);
    runner.launch(std::move(spec),
                  {[lines](std::string_view) { ++*lines; },
                   [&, number, lines](const ExitStatus& status) {
                     ++finished;
                     if (status.kind != Kind::Exited || status.code != 0 || *lines != 1) {
                       failures.push_back(fmt::format(
                           "run {}: kind {} code {} signal {} lines {} error '{}'", number,
                           static_cast<int>(status.kind), status.code, status.signal, *lines,
                           status.error));
                     }
                     // Relaunch in bursts, as a scheduler does at a rung's end: many
                     // registrations right after descriptors were closed.
                     if (++owed == kBurst || finished == launched) {
                       for (; owed > 0 && launched < kRuns; --owed) {
                         launch_one();
                       }
                       owed = 0;
                     }
                   }});
  };
  for (int i = 0; i < kConcurrency; ++i) {
    launch_one();
  }
  const bool all_finished = run_until(io, [&] { return finished == kRuns; }, deadline(20000ms));
  CAPTURE(finished);
  REQUIRE(all_finished);
  CHECK(runner.running() == 0);
  for (const auto& failure : failures) {
    CAPTURE(failure);
    CHECK(false);
  }
  CHECK(failures.empty());
}

TEST_CASE("runners/local: pause stops a run's output and process, resume continues it") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  const RunId id = runner.launch(fake({"report", "40", "--sleep-ms", "20"}), record(out));
  const pid_t pid = trial_pid(io, runner, id);
  REQUIRE(run_until(io, [&] { return out.lines.size() >= 3; }));
  REQUIRE(runner.pause(id));
  CHECK_FALSE(runner.pause(id));  // already paused
  REQUIRE(run_until(io, [&] { return proc_state(pid) == 'T'; }, deadline(1000ms)));  // by its supervisor
  run_until(io, [] { return false; }, 100ms);  // lines already in the file still arrive
  const std::size_t lines = out.lines.size();
  run_until(io, [] { return false; }, 400ms);  // a running one would print ~20 lines here
  CHECK(out.lines.size() == lines);
  CHECK_FALSE(out.exit.has_value());  // a stopped leader is not taken for an exited one
  CHECK(proc_state(pid) == 'T');

  REQUIRE(runner.resume(id));
  CHECK_FALSE(runner.resume(id));  // not paused any more
  CHECK(run_until(io, [&] { return proc_state(pid) != 'T'; }, deadline(1000ms)));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(rungs::runners::succeeded(*out.exit));
  CHECK(out.lines.size() == 40);
  CHECK(out.exit->duration >= 400ms + 800ms);  // paused time is part of the run's duration
  // Dead and unknown ids.
  CHECK_FALSE(runner.pause(id));
  CHECK_FALSE(runner.resume(id));
  CHECK_FALSE(runner.pause(12345));
  CHECK_FALSE(runner.resume(12345));
}

TEST_CASE("runners/local: stop() of a paused run delivers a TERM it can handle") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"handle-term"});
  spec.grace = 600s;  // longer than any wait here: a SIGKILL cannot be what ends it
  const RunId id = runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.lines.size() == 1; }));
  REQUIRE(runner.pause(id));
  const pid_t pid = trial_pid(io, runner, id);
  REQUIRE(run_until(io, [&] { return proc_state(pid) == 'T'; }, deadline(1000ms)));
  const auto stop_time = Clock::now();
  runner.stop(id);
  CHECK_FALSE(runner.pause(id));   // being stopped
  CHECK_FALSE(runner.resume(id));  // the stop already continued it
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.lines == std::vector<std::string>{"ready", "got SIGTERM"});
  CHECK(out.exit->kind == Kind::Exited);
  CHECK(out.exit->code == 0);
  CHECK(out.exit->stopped);
  CHECK(since(stop_time, out.exit_time) < spec.grace);
}

TEST_CASE("runners/local: a paused run ignoring SIGTERM is SIGKILLed after the grace period") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"ignore-term"});
  spec.grace = 300ms;
  const RunId id = runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.lines.size() == 1; }));
  REQUIRE(runner.pause(id));
  const auto stop_time = Clock::now();
  runner.stop(id);
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  check_killed_after_grace(out, stop_time, 300ms);
}

TEST_CASE("runners/local: the timeout counts running time only") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"hang"});
  spec.timeout = 400ms;
  const RunId id = runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.lines.size() == 1; }));
  REQUIRE(runner.pause(id));
  const auto paused_at = Clock::now();
  run_until(io, [&] { return out.exit.has_value(); }, 700ms);  // beyond the 400 ms
  CHECK_FALSE(out.exit.has_value());
  const auto resumed_at = Clock::now();
  REQUIRE(runner.resume(id));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->timed_out);
  CHECK(out.exit->signal == SIGTERM);
  // It had run < 400 ms before the pause, so the rest of its 400 ms comes after the resume.
  CHECK(out.exit->duration >= 400ms + since(paused_at, resumed_at));
}

TEST_CASE("runners/local: stop_all and the destructor leave no paused process behind") {
  become_subreaper();
  TempDir dir;
  const auto pidfile = dir.path / "grandchild.pid";
  std::vector<pid_t> pids;
  {
    boost::asio::io_context io;
    LocalRunner runner(io);
    std::vector<Outcome> outcomes(4);
    std::vector<RunId> ids;
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"hang"}, {"ignore-term"}, {"handle-term"}, {"fork-grandchild", pidfile.string(), "hang"}}) {
      ids.push_back(runner.launch(fake(args), record(outcomes[ids.size()])));
      pids.push_back(trial_pid(io, runner, ids.back()));
    }
    REQUIRE(run_until(io, [&] {
      return std::all_of(outcomes.begin(), outcomes.end(), [](const Outcome& o) { return !o.lines.empty(); });
    }));
    pids.push_back(read_pid(pidfile));
    for (const RunId id : ids) {
      CHECK(runner.pause(id));
    }
    for (const pid_t pid : pids) {
      CAPTURE(pid);
      CHECK(run_until(io, [&] { return proc_state(pid) == 'T'; }, deadline(1000ms)));  // the grandchild too
    }
    runner.stop_all();
    REQUIRE(run_until(io, [&] { return runner.running() == 0; }));
    CHECK(outcomes[0].exit->signal == SIGTERM);
    CHECK(outcomes[1].exit->signal == SIGKILL);  // after the grace
    CHECK(outcomes[2].exit->code == 0);          // it handled the TERM
    CHECK(outcomes[3].exit->signal == SIGTERM);
    for (const auto& outcome : outcomes) {
      CHECK(outcome.exit->stopped);
    }
    CHECK(process_gone(pids.back()));  // the grandchild
    for (const pid_t pid : pids) {
      CHECK(process_gone(pid));
    }

    // The destructor: paused runs are SIGKILLed and reaped.
    pids.clear();
    Outcome a, b;
    const RunId first = runner.launch(fake({"hang"}), record(a));
    const RunId second = runner.launch(fake({"handle-term"}), record(b));
    REQUIRE(run_until(io, [&] { return a.lines.size() == 1 && b.lines.size() == 1; }));
    pids = {trial_pid(io, runner, first), trial_pid(io, runner, second)};
    CHECK(runner.pause(first));
    CHECK(runner.pause(second));
  }
  for (const pid_t pid : pids) {
    CHECK(pid > 0);
    CHECK(process_gone(pid));
  }
}

TEST_CASE("runners/local: a silent trial is stopped as stale after its heartbeat") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome silent, timed;
  auto spec = fake({"hang"});
  spec.heartbeat = 300ms;
  spec.timeout = 10s;  // must not be what ends it
  Clock::time_point line_time;
  const RunId id = runner.launch(spec, record(silent, [&](std::string_view) { line_time = Clock::now(); }));
  const pid_t pid = trial_pid(io, runner, id);
  auto timeout_first = fake({"hang"});  // the timeout comes first: not stale
  timeout_first.timeout = 300ms;
  timeout_first.heartbeat = 5s;
  runner.launch(timeout_first, record(timed));
  REQUIRE(run_until(io, [&] { return silent.exit && timed.exit; }));

  CHECK(silent.lines == std::vector<std::string>{"ready"});
  CHECK(silent.exit->kind == Kind::Signaled);
  CHECK(silent.exit->signal == SIGTERM);  // it obeyed SIGTERM: no SIGKILL needed
  CHECK(silent.exit->stale);
  CHECK(silent.exit->stopped);
  CHECK_FALSE(silent.exit->timed_out);
  CHECK_FALSE(rungs::runners::succeeded(*silent.exit));
  // The heartbeat, not the 10 s timeout (the flags say which); never before the window ended.
  CHECK(silent.exit->silent_for >= 300ms);
  CHECK(since(line_time, silent.exit_time) >= 300ms);
  CHECK(rungs::runners::describe(*silent.exit).find("without output (heartbeat), killed by SIGTERM") !=
        std::string::npos);
  CHECK(process_gone(pid));

  CHECK(timed.exit->timed_out);
  CHECK_FALSE(timed.exit->stale);
  CHECK(timed.exit->silent_for == 0ms);

  // A pending heartbeat dies with the runner: no callback, no process left.
  Outcome pending;
  pid_t pending_pid = -1;
  {
    LocalRunner short_lived(io);
    auto watched = fake({"hang"});
    // Long enough that a slow start on a busy machine is not stale before "ready"; the
    // window is still pending when the runner goes away right after that line.
    watched.heartbeat = 3s;
    pending_pid = trial_pid(io, short_lived, short_lived.launch(watched, record(pending)));
    REQUIRE(run_until(io, [&] { return pending.lines.size() == 1; }));
  }
  run_until(io, [] { return false; }, 200ms);
  CHECK(pending.exit_calls == 0);
  CHECK(pending_pid > 0);
  CHECK(process_gone(pending_pid));
}

TEST_CASE("runners/local: every line restarts the heartbeat window") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome ticking, reporting;
  // 1.1 s of lines, then silence. Gaps of 100 ms against a 600 ms heartbeat: room for a
  // loaded machine to deschedule the trial or the loop.
  auto chatter = fake({"chatter", "12", "100"});
  chatter.heartbeat = 600ms;
  Clock::time_point last_line;
  const auto launched_at = Clock::now();
  runner.launch(chatter, record(ticking, [&](std::string_view) { last_line = Clock::now(); }));
  auto report = fake({"report", "10", "--sleep-ms", "100"});  // 1 s of lines, then exit 0
  report.heartbeat = 600ms;
  runner.launch(report, record(reporting));
  REQUIRE(run_until(io, [&] { return ticking.exit && reporting.exit; }));

  CHECK(ticking.lines.size() == 12);  // none lost: it outlived its heartbeat by lines alone
  CHECK(ticking.exit->stale);
  CHECK(since(launched_at, ticking.exit_time) >= 1100ms + 600ms);
  CHECK(since(last_line, ticking.exit_time) >= 600ms);

  CHECK(rungs::runners::succeeded(*reporting.exit));
  CHECK_FALSE(reporting.exit->stale);
  CHECK(reporting.lines.size() == 10);
  CHECK(reporting.exit->duration >= 900ms);
}

TEST_CASE("runners/local: a paused run does not go stale, its window keeps what it had left") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"hang"});
  spec.heartbeat = 1000ms;
  const auto launched_at = Clock::now();
  const RunId id = runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.lines.size() == 1; }));
  run_until(io, [] { return false; }, 700ms);  // about 300 ms of the window left
  REQUIRE_FALSE(out.exit.has_value());
  REQUIRE(runner.pause(id));
  const auto paused_at = Clock::now();
  run_until(io, [&] { return out.exit.has_value(); }, 1300ms);  // beyond the whole window
  CHECK_FALSE(out.exit.has_value());
  const auto resumed_at = Clock::now();
  REQUIRE(runner.resume(id));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));

  CHECK(out.exit->stale);
  CHECK(out.exit->signal == SIGTERM);
  // Never before the window (running time) ended. That the paused time is not in the silence,
  // and that the window goes on with what it had left, is checked exactly in
  // run_limits_test.cpp (upper bounds on real timers fail on a loaded machine).
  CHECK(out.exit->silent_for >= 1000ms);
  CHECK(since(resumed_at, out.exit_time) >= 1000ms - since(launched_at, paused_at));
  CHECK(out.exit->duration >= 1000ms + since(paused_at, resumed_at));
}

TEST_CASE("runners/local: a stale trial ignoring SIGTERM is SIGKILLed after the grace period") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"ignore-term"});
  spec.heartbeat = 300ms;
  spec.grace = 400ms;
  Clock::time_point line_time;
  const RunId id = runner.launch(spec, record(out, [&](std::string_view) { line_time = Clock::now(); }));
  const pid_t pid = trial_pid(io, runner, id);
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->kind == Kind::Signaled);
  CHECK(out.exit->signal == SIGKILL);
  CHECK(out.exit->stale);
  CHECK(out.exit->stopped);
  CHECK_FALSE(out.exit->timed_out);
  CHECK(since(line_time, out.exit_time) >= 300ms + 400ms);
  CHECK(rungs::runners::describe(*out.exit).find("killed by SIGKILL") != std::string::npos);
  CHECK(process_gone(pid));
}
