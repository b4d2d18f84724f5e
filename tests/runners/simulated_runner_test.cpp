// SimulatedRunner: the Runner contract on a virtual clock. Event order by (virtual time,
// scheduling order), stop, timeout, workers, busy time, callbacks never inside launch()/stop().
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "runners/simulated_runner.hpp"

using rungs::runners::ExitStatus;
using rungs::runners::LaunchSpec;
using rungs::runners::RunCallbacks;
using rungs::runners::RunId;
using rungs::runners::SimulatedRunner;
using rungs::runners::SimulatedRunnerOptions;
using rungs::runners::SimulatedTrial;
using Kind = ExitStatus::Kind;
using namespace std::chrono_literals;

namespace {

// Scripts by name: argv[0] picks one from the table the test sets up.
struct Scripts {
  std::map<std::string, SimulatedTrial> by_name;
  SimulatedTrial operator()(const LaunchSpec& spec) const {
    const auto found = by_name.find(spec.argv.at(0));
    if (found == by_name.end()) throw std::runtime_error("no script " + spec.argv.at(0));
    return found->second;
  }
};

SimulatedTrial script(std::vector<std::pair<double, std::string>> lines, double exit_after, int code = 0) {
  SimulatedTrial trial;
  trial.lines = std::move(lines);
  trial.exit_after = exit_after;
  trial.outcome = rungs::runners::exit_code(code);
  return trial;
}

LaunchSpec named(const std::string& name, std::chrono::milliseconds timeout = 0ms) {
  LaunchSpec spec;
  spec.argv = {name};
  spec.timeout = timeout;
  return spec;
}

// Everything the callbacks saw, in order: "name:line@time" and "name:exit@time".
struct Journal {
  explicit Journal(const SimulatedRunner* runner) : runner(runner) {}
  const SimulatedRunner* runner;
  bool inside_runner_call = false;  // set around launch()/stop(): callbacks must not see it
  bool callback_inside_call = false;
  std::vector<std::string> events;
  std::map<std::string, ExitStatus> exits;
  std::map<std::string, int> exit_calls;

  RunCallbacks callbacks(const std::string& name) {
    RunCallbacks callbacks;
    callbacks.on_line = [this, name](std::string_view line) {
      callback_inside_call |= inside_runner_call;
      CHECK(exit_calls[name] == 0);
      events.push_back(name + ":" + std::string(line) + "@" + std::to_string(runner->now()));
    };
    callbacks.on_exit = [this, name](const ExitStatus& status) {
      callback_inside_call |= inside_runner_call;
      events.push_back(name + ":exit@" + std::to_string(runner->now()));
      exits[name] = status;
      ++exit_calls[name];
    };
    return callbacks;
  }
};

std::string at(const std::string& name, const std::string& what, double time) {
  return name + ":" + what + "@" + std::to_string(time);
}

}  // namespace

TEST_CASE("events come in virtual-time order across runs, ties in scheduling order") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}, {3, "a3"}, {3, "a3b"}}, 4);
  scripts.by_name["b"] = script({{2, "b2"}, {3, "b3"}}, 3, 5);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  journal.inside_runner_call = true;
  runner.launch(named("a"), journal.callbacks("a"));
  runner.launch(named("b"), journal.callbacks("b"));
  journal.inside_runner_call = false;
  CHECK(journal.events.empty());  // nothing happens inside launch()
  CHECK(runner.running() == 2);
  io.run();

  const std::vector<std::string> expected = {at("a", "a1", 1), at("b", "b2", 2), at("a", "a3", 3),
                                             at("a", "a3b", 3), at("b", "b3", 3), at("b", "exit", 3),
                                             at("a", "exit", 4)};
  CHECK(journal.events == expected);
  CHECK_FALSE(journal.callback_inside_call);
  CHECK(journal.exits["b"].kind == Kind::Exited);
  CHECK(journal.exits["b"].code == 5);
  CHECK(journal.exits["a"].duration == 4000ms);
  CHECK(rungs::runners::succeeded(journal.exits["a"]));
  CHECK(runner.now() == 4);
  CHECK(runner.busy_seconds() == 7);
  CHECK(runner.running() == 0);
  CHECK(runner.launched() == 2);
  CHECK(runner.events_delivered() == 7);
}

TEST_CASE("a line after exit_after comes just before the exit, unsorted lines are sorted by time") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{5, "late"}, {0.5, "early"}, {-1, "negative"}}, 2);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  runner.launch(named("a"), journal.callbacks("a"));
  io.run();
  const std::vector<std::string> expected = {at("a", "negative", 0), at("a", "early", 0.5),
                                             at("a", "late", 2), at("a", "exit", 2)};
  CHECK(journal.events == expected);
}

TEST_CASE("what a callback launches is queued before the next event is chosen") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}, {3, "a3"}}, 3);
  scripts.by_name["b"] = script({{1, "b+1"}}, 1);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  RunCallbacks callbacks = journal.callbacks("a");
  auto on_line = callbacks.on_line;
  callbacks.on_line = [&, on_line](std::string_view line) {
    on_line(line);
    if (line == "a1") {  // at virtual time 1: b's line lands at 2, before a's at 3
      journal.inside_runner_call = true;
      runner.launch(named("b"), journal.callbacks("b"));
      journal.inside_runner_call = false;
    }
  };
  runner.launch(named("a"), std::move(callbacks));
  io.run();
  const std::vector<std::string> expected = {at("a", "a1", 1), at("b", "b+1", 2), at("b", "exit", 2),
                                             at("a", "a3", 3), at("a", "exit", 3)};
  CHECK(journal.events == expected);
  CHECK_FALSE(journal.callback_inside_call);
  CHECK(runner.busy_seconds() == 4);
}

TEST_CASE("stop(): the run ends now with SIGTERM, its remaining lines dropped, on_exit once") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}, {2, "a2"}, {3, "a3"}}, 4);
  scripts.by_name["b"] = script({{10, "b10"}}, 10);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  RunId a = 0;
  RunCallbacks callbacks = journal.callbacks("a");
  auto on_line = callbacks.on_line;
  callbacks.on_line = [&, on_line](std::string_view line) {
    on_line(line);
    if (line == "a2") {
      journal.inside_runner_call = true;
      runner.stop(a);
      runner.stop(a);  // a stop under way: no-op
      journal.inside_runner_call = false;
    }
  };
  a = runner.launch(named("a"), std::move(callbacks));
  runner.launch(named("b"), journal.callbacks("b"));
  io.run();

  const std::vector<std::string> expected = {at("a", "a1", 1), at("a", "a2", 2), at("a", "exit", 2),
                                             at("b", "b10", 10), at("b", "exit", 10)};
  CHECK(journal.events == expected);
  CHECK_FALSE(journal.callback_inside_call);
  const auto& status = journal.exits["a"];
  CHECK(status.kind == Kind::Signaled);
  CHECK(status.signal == SIGTERM);
  CHECK(status.stopped);
  CHECK_FALSE(status.timed_out);
  CHECK(status.duration == 2000ms);
  CHECK(journal.exit_calls["a"] == 1);
  CHECK(runner.busy_seconds() == 12);
  runner.stop(a);  // dead id: no-op
  runner.stop(12345);
  io.restart();
  io.run();
  CHECK(journal.exit_calls["a"] == 1);
}

TEST_CASE("stop() before the event loop runs and stop_all() end runs at the current time") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}}, 5);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  const RunId first = runner.launch(named("a"), journal.callbacks("first"));
  runner.launch(named("a"), journal.callbacks("second"));
  runner.launch(named("a"), journal.callbacks("third"));
  runner.stop(first);
  io.run_one();  // one event: first's exit at 0
  CHECK(journal.events == std::vector<std::string>{at("first", "exit", 0)});
  CHECK(journal.exits["first"].duration == 0ms);
  runner.stop_all();
  io.run();
  CHECK(journal.exits["second"].stopped);
  CHECK(journal.exits["third"].signal == SIGTERM);
  CHECK(journal.events.size() == 3);  // no lines: every run was stopped at time 0
  CHECK(runner.now() == 0);
  CHECK(runner.running() == 0);
}

TEST_CASE("timeouts run in virtual time") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["slow"] = script({{1, "s1"}, {2, "s2"}, {3, "s3"}}, 10);
  scripts.by_name["exact"] = script({{1, "e1"}}, 2);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  runner.launch(named("slow", 2500ms), journal.callbacks("slow"));
  runner.launch(named("exact", 2000ms), journal.callbacks("exact"));
  io.run();
  const std::vector<std::string> expected = {at("slow", "s1", 1), at("exact", "e1", 1), at("slow", "s2", 2),
                                             at("exact", "exit", 2), at("slow", "exit", 2.5)};
  CHECK(journal.events == expected);
  const auto& slow = journal.exits["slow"];
  CHECK(slow.kind == Kind::Signaled);
  CHECK(slow.signal == SIGTERM);
  CHECK(slow.timed_out);
  CHECK(slow.stopped);
  CHECK(slow.duration == 2500ms);
  CHECK(rungs::runners::succeeded(journal.exits["exact"]));  // exiting at the limit is in time
  CHECK(runner.now() == 2.5);
  CHECK(runner.busy_seconds() == 4.5);
  CHECK(runner.timeouts() == 1);
}

TEST_CASE("workers: runs beyond them wait and start when one is freed") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a"}}, 5);
  SimulatedRunner runner(io, scripts, SimulatedRunnerOptions{2});
  Journal journal(&runner);
  runner.launch(named("a"), journal.callbacks("1"));
  runner.launch(named("a"), journal.callbacks("2"));
  const RunId third = runner.launch(named("a"), journal.callbacks("3"));
  runner.launch(named("a"), journal.callbacks("4"));
  CHECK(runner.running() == 4);
  runner.stop(third);  // never started: ends at once, costs nothing
  io.run();
  CHECK(journal.exits["3"].duration == 0ms);
  CHECK(journal.exits["4"].duration == 5000ms);  // counted from its start at 5
  CHECK(journal.events.back() == at("4", "exit", 10));
  CHECK(runner.now() == 10);
  CHECK(runner.busy_seconds() == 15);
  CHECK(runner.peak_running() == 2);
}

TEST_CASE("a model that throws gives a launch failure, delivered later") {
  boost::asio::io_context io;
  SimulatedRunner runner(io, Scripts{});
  Journal journal(&runner);
  journal.inside_runner_call = true;
  runner.launch(named("missing"), journal.callbacks("m"));
  journal.inside_runner_call = false;
  CHECK(journal.exit_calls["m"] == 0);
  io.run();
  CHECK_FALSE(journal.callback_inside_call);
  CHECK(journal.exit_calls["m"] == 1);
  CHECK(journal.exits["m"].kind == Kind::LaunchFailed);
  CHECK(journal.exits["m"].error.find("no script missing") != std::string::npos);
}

TEST_CASE("the same calls give the same events, a destroyed runner delivers nothing") {
  const auto journal_of = [](bool destroy_early) {
    boost::asio::io_context io;
    Scripts scripts;
    scripts.by_name["a"] = script({{0.25, "x"}, {0.75, "y"}}, 1);
    std::vector<std::string> events;
    {
      SimulatedRunner runner(io, scripts);
      Journal journal(&runner);
      for (int i = 0; i < 5; ++i) runner.launch(named("a"), journal.callbacks(std::to_string(i)));
      if (!destroy_early) io.run();
      events = journal.events;
    }
    io.restart();
    CHECK(io.run() <= 1);  // at most the orphaned step, which does nothing
    return events;
  };
  CHECK(journal_of(false) == journal_of(false));
  CHECK(journal_of(false).size() == 15);
  CHECK(journal_of(true).empty());
}
