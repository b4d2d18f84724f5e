// Nothing left behind, nothing lost (issue 11): every process of a run, also one that left
// its group and session (setsid, a double-forked daemon), is gone when the run ends, after
// stop(), when the runner is destroyed and when the process that owns the runner is
// SIGKILLed; a leftover of a SIGKILLed supervisor is found by its token; lines written before
// a crash of rungs are read when following resumes from the recorded offset.
#include <doctest/doctest.h>

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
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

#include "runners/leftovers.hpp"
#include "runners/local_runner.hpp"
#include "runners/process_tree.hpp"
#include "tests/test_deadline.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using rungs::runners::ExitStatus;
using rungs::runners::LaunchSpec;
using rungs::runners::LocalRunner;
using rungs::runners::RunCallbacks;
using rungs::runners::RunId;
using rungs::testing::deadline;
using Clock = std::chrono::steady_clock;

namespace {

const fs::path bin_dir = RUNGS_BIN_DIR;

LaunchSpec fake(std::vector<std::string> args) {
  LaunchSpec spec;
  spec.argv = {(bin_dir / "fake_trial").string()};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.grace = 300ms;
  return spec;
}

struct TempDir {
  fs::path path;
  TempDir() {
    static std::atomic<int> counter{0};
    path = fs::temp_directory_path() / fmt::format("rungs-supervisor-test-{}-{}", ::getpid(), counter++);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool wait_until(const std::function<bool()>& done, std::chrono::milliseconds limit = deadline(5000ms)) {
  const auto end = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= end) {
      return false;
    }
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

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
    io.run_one_for(20ms);
  }
  return true;
}

pid_t read_pid(const fs::path& path) {
  wait_until([&] { return fs::exists(path); });
  const std::string text = read_file(path);
  return text.empty() ? -1 : static_cast<pid_t>(std::stoi(text));
}

// Gone, or a zombie that only waits for its parent (a subreaper: maybe this test process).
bool ended(pid_t pid) {
  if (pid <= 0) {
    return false;
  }
  ::waitpid(pid, nullptr, WNOHANG);  // ours, if it was re-parented to us
  const auto info = rungs::runners::read_process(pid);
  return !info || info->state == 'Z';
}

struct Outcome {
  std::vector<std::string> lines;
  std::vector<std::uint64_t> ends;
  std::optional<ExitStatus> exit;
};

RunCallbacks record(Outcome& out, std::function<void()> on_exit = {}) {
  RunCallbacks callbacks;
  callbacks.on_exit = [&out, on_exit](const ExitStatus& status) {
    out.exit = status;
    if (on_exit) {
      on_exit();
    }
  };
  callbacks.on_line_at = [&out](std::string_view line, std::uint64_t end) {
    out.lines.emplace_back(line);
    out.ends.push_back(end);
  };
  return callbacks;
}

}  // namespace

TEST_CASE("supervisor: a double-forked daemon is gone when the run ends normally") {
  TempDir dir;
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  const auto pidfile = dir.path / "daemon.pid";
  bool gone_at_exit = false;
  runner.launch(fake({"daemon", pidfile.string(), "exit"}),
                record(out, [&] { gone_at_exit = ended(read_pid(pidfile)); }));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.exit->kind == ExitStatus::Kind::Exited);
  CHECK(out.exit->code == 0);
  CHECK(out.lines == std::vector<std::string>{"ready"});
  CHECK(gone_at_exit);  // already when on_exit was called
}

TEST_CASE("supervisor: a daemon and a child in the trial's group are gone after stop()") {
  TempDir dir;
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome daemon, grouped;
  const auto daemon_pid = dir.path / "daemon.pid";
  const auto child_pid = dir.path / "child.pid";
  const RunId a = runner.launch(fake({"daemon", daemon_pid.string(), "hang"}), record(daemon));
  const RunId b = runner.launch(fake({"fork-grandchild", child_pid.string(), "hang"}), record(grouped));
  REQUIRE(run_until(io, [&] { return daemon.lines.size() == 1 && grouped.lines.size() == 1; }));
  runner.stop(a);
  runner.stop(b);
  REQUIRE(run_until(io, [&] { return daemon.exit && grouped.exit; }));
  CHECK(daemon.exit->stopped);
  CHECK(daemon.exit->signal == SIGTERM);  // the trial obeyed; the daemon ignores TERM: KILLed
  CHECK(grouped.exit->signal == SIGTERM);
  CHECK(ended(read_pid(daemon_pid)));
  CHECK(ended(read_pid(child_pid)));
}

TEST_CASE("supervisor: nothing of a run survives the runner's destruction") {
  TempDir dir;
  const auto pidfile = dir.path / "daemon.pid";
  pid_t trial = -1;
  {
    boost::asio::io_context io;
    LocalRunner runner(io);
    Outcome out;
    const RunId id = runner.launch(fake({"daemon", pidfile.string(), "hang"}), record(out));
    REQUIRE(run_until(io, [&] { return out.lines.size() == 1 && runner.pid_of(id) > 0; }));
    trial = runner.pid_of(id);
  }
  CHECK(ended(trial));
  CHECK(ended(read_pid(pidfile)));
}

TEST_CASE("supervisor: after a SIGKILL of the process owning the runner, the run ends within its grace") {
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);  // orphans come to us: we can reap them
  TempDir dir;
  const auto pids = dir.path / "pids";
  const auto daemon_pid = dir.path / "daemon.pid";
  const pid_t owner = ::fork();
  REQUIRE(owner != -1);
  if (owner == 0) {  // a stand-in for rungs
    boost::asio::io_context io;
    LocalRunner runner(io);
    Outcome out;
    auto spec = fake({"daemon", daemon_pid.string(), "hang"});
    spec.grace = 500ms;
    const RunId id = runner.launch(spec, record(out));
    if (!run_until(io, [&] { return out.lines.size() == 1 && runner.pid_of(id) > 0; })) {
      ::_exit(1);
    }
    std::ofstream(dir.path / "tmp") << runner.pid_of(id) << "\n";
    fs::rename(dir.path / "tmp", pids);
    for (;;) {
      ::pause();
    }
  }
  const pid_t trial = read_pid(pids);
  const pid_t daemon = read_pid(daemon_pid);
  REQUIRE(trial > 0);
  REQUIRE(daemon > 0);
  ::kill(owner, SIGKILL);
  REQUIRE(::waitpid(owner, nullptr, 0) == owner);
  // The supervisor sees EOF: TERM (the trial obeys), KILL after 500 ms (the daemon ignored it).
  CHECK(wait_until([&] { return ended(trial) && ended(daemon); }, deadline(1500ms)));
  // The supervisor itself is ours now (we are the subreaper): it ended too.
  CHECK(wait_until([&] { return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }));
}

TEST_CASE("supervisor: leftovers of a SIGKILLed supervisor are found by token and ended") {
  REQUIRE(::prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
  TempDir dir;
  const auto record_path = dir.path / "process";
  const auto daemon_pid = dir.path / "daemon.pid";
  const pid_t owner = ::fork();
  REQUIRE(owner != -1);
  if (owner == 0) {
    boost::asio::io_context io;
    LocalRunner runner(io);
    Outcome out;
    auto spec = fake({"daemon", daemon_pid.string(), "hang"});
    spec.process_record = record_path;
    runner.launch(spec, record(out));
    if (!run_until(io, [&] { return out.lines.size() == 1; })) {
      ::_exit(1);
    }
    std::ofstream(dir.path / "ready") << "1\n";
    for (;;) {
      ::pause();
    }
  }
  REQUIRE(wait_until([&] { return fs::exists(dir.path / "ready"); }));
  const pid_t daemon = read_pid(daemon_pid);
  // The record names the supervisor and the token; SIGKILL both the supervisor and its owner,
  // as an OOM killer or a `kill -9` of everything might.
  std::istringstream text(read_file(record_path));
  std::string key;
  pid_t supervisor = -1;
  text >> key >> supervisor;
  REQUIRE(key == "supervisor");
  REQUIRE(supervisor > 0);
  ::kill(supervisor, SIGKILL);
  ::kill(owner, SIGKILL);
  ::waitpid(owner, nullptr, 0);
  REQUIRE(wait_until([&] { return ended(supervisor); }));
  CHECK_FALSE(ended(daemon));  // orphaned, alive: what a resume must end

  const auto found = rungs::runners::end_leftovers(record_path, 300ms);
  CHECK_FALSE(found.supervisor_alive);
  CHECK(found.killed >= 1);
  CHECK(wait_until([&] { return ended(daemon); }));
  // A record whose run ended is nothing left; a missing record too.
  CHECK(rungs::runners::end_leftovers(dir.path / "missing", 300ms).killed == 0);
}

TEST_CASE("supervisor: lines written before a crash are read when following resumes from the recorded offset") {
  TempDir dir;
  const auto output = dir.path / "stdout";
  const auto offset_file = dir.path / "offset";
  const pid_t owner = ::fork();
  REQUIRE(owner != -1);
  if (owner == 0) {
    // A rungs that handles two lines, records the offset after each, and dies before reading
    // the rest (which the trial has written already).
    boost::asio::io_context io;
    LocalRunner runner(io);
    auto spec = fake({"lines", "5"});
    spec.stdout_path = output;
    int handled = 0;
    RunCallbacks callbacks;
    callbacks.on_line_at = [&](std::string_view, std::uint64_t end) {
      if (handled < 2) {
        ++handled;
        std::ofstream(dir.path / "tmp") << end << "\n";
        fs::rename(dir.path / "tmp", offset_file);
      }
    };
    runner.launch(spec, callbacks);
    run_until(io, [&] { return handled == 2; });
    // The trial has written the rest, which this rungs never reads: it dies first.
    wait_until([&] { return read_file(output).find("line 5\n") != std::string::npos; });
    ::kill(::getpid(), SIGKILL);
  }
  REQUIRE(::waitpid(owner, nullptr, 0) == owner);
  REQUIRE(wait_until([&] { return read_file(output).find("line 5\n") != std::string::npos; }));
  const auto offset = std::stoull(read_file(offset_file));
  CHECK(offset == std::string("line 1\nline 2\n").size());

  // The relaunch appends to the same file and follows it from the recorded offset.
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  auto spec = fake({"lines", "1"});
  spec.stdout_path = output;
  spec.stdout_offset = offset;
  runner.launch(spec, record(out));
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK(out.lines == std::vector<std::string>{"line 3", "line 4", "line 5", "line 1"});
  CHECK(out.ends.back() == read_file(output).size());
}

TEST_CASE("supervisor: a flood of reports arrives whole and in order") {
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  long expected = 1;
  bool in_order = true;
  RunCallbacks callbacks = record(out);
  callbacks.on_line_at = [&](std::string_view line, std::uint64_t) {
    in_order = in_order && line == fmt::format("@rungs {{\"step\": {}, \"loss\": 0.5}}", expected);
    ++expected;
  };
  runner.launch(fake({"flood", "100000"}), callbacks);
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }, deadline(20000ms)));
  CHECK(out.exit->code == 0);
  CHECK(expected == 100001);
  CHECK(in_order);
}

TEST_CASE("supervisor: once every run has ended, the event loop has no work left") {
  // run() must return when a campaign is over: nothing may stay pending (e.g. on inotify).
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome first, second;
  runner.launch(fake({"lines", "2"}), record(first, [&] {
    runner.launch(fake({"lines", "1"}), record(second));  // a watch again after none
  }));
  io.run_for(deadline(5000ms));
  CHECK(io.stopped());  // ran out of work, not out of time
  REQUIRE(second.exit.has_value());
  CHECK(first.lines == std::vector<std::string>{"line 1", "line 2"});
  CHECK(second.lines == std::vector<std::string>{"line 1"});
}

TEST_CASE("supervisor: lines already in the file are delivered from the loop, never inside launch()") {
  // Regression: a quick trial could write before launch() returned, and its line was then
  // delivered inside launch(), before the caller knew the RunId (the campaign dropped it).
  // A file that holds a line already stands for that trial.
  TempDir dir;
  const auto output = dir.path / "stdout";
  std::ofstream(output) << "written before the launch\n";
  boost::asio::io_context io;
  LocalRunner runner(io);
  Outcome out;
  bool inside_launch = true;
  bool line_inside_launch = false;
  RunCallbacks callbacks = record(out);
  callbacks.on_line_at = [&](std::string_view line, std::uint64_t) {
    line_inside_launch = line_inside_launch || inside_launch;
    out.lines.emplace_back(line);
  };
  auto spec = fake({"lines", "1"});
  spec.stdout_path = output;
  runner.launch(spec, callbacks);
  inside_launch = false;
  REQUIRE(run_until(io, [&] { return out.exit.has_value(); }));
  CHECK_FALSE(line_inside_launch);
  CHECK(out.lines == std::vector<std::string>{"written before the launch", "line 1"});
}
