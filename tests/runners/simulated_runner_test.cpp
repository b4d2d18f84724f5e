// SimulatedRunner: the Runner contract on a virtual clock. Event order by (virtual time,
// scheduling order), stop, timeout, workers, busy time, callbacks never inside launch()/stop().
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <limits>
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

TEST_CASE("a run relaunched after a restart continues its script at the uninterrupted times") {
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}, {2, "a2"}, {3, "a3"}, {4, "a4"}}, 5);
  scripts.by_name["b"] = script({{0.25, "b"}}, 0.5);

  // Uninterrupted: launched at 0.
  std::vector<std::string> uninterrupted;
  {
    boost::asio::io_context io;
    SimulatedRunner runner(io, scripts);
    Journal journal(&runner);
    runner.launch(named("a"), journal.callbacks("a"));
    io.run();
    uninterrupted = journal.events;
  }

  // rungs was killed at 2.5 with "a" out since 0: a new runner picks the campaign up.
  boost::asio::io_context io;
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  runner.advance_clock(2.5);
  CHECK(runner.now() == 2.5);
  LaunchSpec relaunch = named("a", 4500ms);  // the timeout counts from the original start
  relaunch.already_ran_seconds = 2.5;
  runner.launch(relaunch, journal.callbacks("a"));
  runner.launch(named("b"), journal.callbacks("b"));  // a fresh run, from 2.5
  io.run();
  // Lines already due come at once, first and in order; the rest at their old times.
  // (At 3, a3 before b's exit: a's events were scheduled first.)
  const std::vector<std::string> expected = {at("a", "a1", 2.5), at("a", "a2", 2.5), at("b", "b", 2.75),
                                             at("a", "a3", 3),    at("b", "exit", 3), at("a", "a4", 4),
                                             at("a", "exit", 4.5)};
  CHECK(journal.events == expected);
  CHECK(journal.exits["a"].timed_out);
  CHECK(journal.exits["a"].duration == 4500ms);
  CHECK(runner.busy_seconds() == doctest::Approx(2.0 + 0.5));  // only time spent on this runner
  // Without the timeout, the remaining lines and the exit fall exactly where they did.
  REQUIRE(uninterrupted.size() == 5);
  CHECK(uninterrupted[2] == at("a", "a3", 3));
  const std::vector<std::string> after(uninterrupted.begin() + 2, uninterrupted.end());
  boost::asio::io_context io2;
  SimulatedRunner again(io2, scripts);
  Journal journal2(&again);
  again.advance_clock(2.5);
  LaunchSpec plain = named("a");
  plain.already_ran_seconds = 2.5;
  again.launch(plain, journal2.callbacks("a"));
  io2.run();
  REQUIRE(journal2.events.size() == 5);
  CHECK(std::vector<std::string>(journal2.events.begin() + 2, journal2.events.end()) == after);
  CHECK(journal2.exits["a"].duration == 5000ms);
}

TEST_CASE("advance_clock moves the clock forward only") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}}, 2);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  runner.advance_clock(10);
  CHECK(runner.now() == 10);
  runner.advance_clock(5);
  runner.advance_clock(std::nan(""));
  runner.advance_clock(std::numeric_limits<double>::infinity());
  CHECK(runner.now() == 10);
  runner.launch(named("a"), journal.callbacks("a"));
  io.run();
  CHECK(journal.events == std::vector<std::string>{at("a", "a1", 11), at("a", "exit", 12)});
  runner.advance_clock(11);  // behind the last event: no-op
  CHECK(runner.now() == 12);
}

TEST_CASE("pause freezes a run's script, resume shifts the rest by the paused time") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}, {1, "a1b"}, {2, "a2"}, {3, "a3"}}, 4);
  scripts.by_name["clock"] = script({{3, "resume"}, {3.5, "stop"}}, 7);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  RunId a = 0, timed = 0, stopped = 0;
  RunCallbacks callbacks = journal.callbacks("a");
  auto on_line = callbacks.on_line;
  callbacks.on_line = [&, on_line](std::string_view line) {
    on_line(line);
    if (line == "a1") {  // at 1: what is due at 1 but not delivered yet is frozen too
      CHECK(runner.pause(a));
      CHECK_FALSE(runner.pause(a));  // already paused
      CHECK(runner.pause(timed));
      CHECK(runner.pause(stopped));
    }
  };
  RunCallbacks clock = journal.callbacks("clock");
  auto clock_line = clock.on_line;
  clock.on_line = [&, clock_line](std::string_view line) {
    clock_line(line);
    if (line == "resume") {  // at 3
      CHECK(runner.resume(a));
      CHECK_FALSE(runner.resume(a));  // not paused
      CHECK(runner.resume(timed));
    } else {  // at 3.5
      runner.stop(stopped);  // a paused run: it ends now
      CHECK_FALSE(runner.resume(stopped));
      CHECK_FALSE(runner.pause(stopped));
    }
  };
  a = runner.launch(named("a"), std::move(callbacks));
  timed = runner.launch(named("a", 2500ms), journal.callbacks("timed"));
  stopped = runner.launch(named("a"), journal.callbacks("stopped"));
  runner.launch(named("clock"), std::move(clock));
  io.run();

  const std::vector<std::string> expected = {
      at("a", "a1", 1),         at("clock", "resume", 3),  at("a", "a1b", 3),      at("timed", "a1", 3),
      at("timed", "a1b", 3),    at("clock", "stop", 3.5),  at("stopped", "exit", 3.5), at("a", "a2", 4),
      at("timed", "a2", 4),     at("timed", "exit", 4.5),  at("a", "a3", 5),       at("a", "exit", 6),
      at("clock", "exit", 7)};
  CHECK(journal.events == expected);
  CHECK(rungs::runners::succeeded(journal.exits["a"]));
  CHECK(journal.exits["a"].duration == 6000ms);  // launch to exit, paused time included
  CHECK(journal.exits["timed"].timed_out);       // after 2.5 s of running time
  CHECK(journal.exits["timed"].duration == 4500ms);
  CHECK(journal.exits["stopped"].stopped);
  CHECK(journal.exits["stopped"].duration == 3500ms);
  CHECK(runner.busy_seconds() == doctest::Approx(4 + 2.5 + 1 + 7));  // paused time left out
  CHECK_FALSE(runner.pause(a));  // finished
  CHECK_FALSE(runner.resume(a));
  CHECK_FALSE(runner.pause(12345));
  CHECK_FALSE(runner.resume(12345));
}

TEST_CASE("a paused run frees its worker, resume waits for one in FIFO order") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["a"] = script({{1, "a1"}, {2, "a2"}}, 4);
  scripts.by_name["b"] = script({{1, "b1"}, {1.5, "b2"}}, 2);
  scripts.by_name["c"] = script({}, 1);
  SimulatedRunner runner(io, scripts, SimulatedRunnerOptions{1});
  Journal journal(&runner);
  RunId a = 0;
  RunCallbacks a_callbacks = journal.callbacks("a");
  auto a_line = a_callbacks.on_line;
  a_callbacks.on_line = [&, a_line](std::string_view line) {
    a_line(line);
    if (line == "a1") CHECK(runner.pause(a));  // at 1: b gets the worker
  };
  RunCallbacks b_callbacks = journal.callbacks("b");
  auto b_line = b_callbacks.on_line;
  b_callbacks.on_line = [&, b_line](std::string_view line) {
    b_line(line);
    if (line == "b1") CHECK(runner.resume(a));                      // at 2: a waits for b
    if (line == "b2") runner.launch(named("c"), journal.callbacks("c"));  // at 2.5: after a
  };
  a = runner.launch(named("a"), std::move(a_callbacks));
  runner.launch(named("b"), std::move(b_callbacks));  // waits for the worker
  // A run paused before it ever got a worker leaves the queue until resumed.
  const RunId d = runner.launch(named("c"), journal.callbacks("d"));
  CHECK(runner.pause(d));
  io.run();
  CHECK(journal.exit_calls["d"] == 0);
  CHECK(runner.running() == 1);

  const std::vector<std::string> expected = {at("a", "a1", 1),   at("b", "b1", 2),   at("b", "b2", 2.5),
                                             at("b", "exit", 3), at("a", "a2", 4),   at("a", "exit", 6),
                                             at("c", "exit", 7)};
  CHECK(journal.events == expected);
  CHECK(journal.exits["a"].duration == 6000ms);
  CHECK(journal.exits["b"].duration == 2000ms);  // counted from its start at 1
  CHECK(journal.exits["c"].duration == 1000ms);
  CHECK(runner.busy_seconds() == doctest::Approx(1 + 2 + 3 + 1));
  CHECK(runner.peak_running() == 1);

  CHECK(runner.resume(d));
  io.restart();
  io.run();
  CHECK(journal.events.back() == at("d", "exit", 8));
  CHECK(journal.exits["d"].duration == 1000ms);  // it never ran before its start at 7
  CHECK(runner.running() == 0);
}

namespace {

// The journal entries of one run, in order.
std::vector<std::string> of(const Journal& journal, const std::string& name) {
  std::vector<std::string> events;
  for (const auto& event : journal.events) {
    if (event.rfind(name + ":", 0) == 0) events.push_back(event);
  }
  return events;
}

LaunchSpec watched(const std::string& name, std::chrono::milliseconds heartbeat,
                   std::chrono::milliseconds timeout = 0ms) {
  LaunchSpec spec = named(name, timeout);
  spec.heartbeat = heartbeat;
  return spec;
}

void check_stale(const ExitStatus& status, std::chrono::milliseconds duration,
                 std::chrono::milliseconds heartbeat) {
  CHECK(status.kind == Kind::Signaled);
  CHECK(status.signal == SIGTERM);
  CHECK(status.stale);
  CHECK(status.stopped);
  CHECK_FALSE(status.timed_out);
  CHECK(status.silent_for == heartbeat);
  CHECK(status.duration == duration);
  CHECK_FALSE(rungs::runners::succeeded(status));
}

}  // namespace

TEST_CASE("heartbeat: a silence longer than it ends the run at the last line (or launch) + heartbeat") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["first"] = script({{1.5, "f"}}, 3);                          // launch -> first line
  scripts.by_name["between"] = script({{0.5, "b1"}, {1, "b2"}, {2.5, "b3"}}, 3);  // line -> line
  scripts.by_name["tail"] = script({{0.5, "t1"}, {1, "t2"}}, 5);                // last line -> exit
  scripts.by_name["exact"] = script({{1, "e1"}, {2, "e2"}}, 3);                 // gaps of exactly 1 s
  scripts.by_name["unsorted"] = script({{1.8, "u2"}, {0.9, "u1"}}, 2.5);        // gaps in time order
  scripts.by_name["hang"] = script({}, std::numeric_limits<double>::infinity());
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  for (const char* name : {"first", "between", "tail", "exact", "unsorted", "hang"}) {
    runner.launch(watched(name, 1000ms), journal.callbacks(name));
  }
  runner.launch(named("tail"), journal.callbacks("unwatched"));  // no heartbeat: no limit
  io.run();

  CHECK(of(journal, "first") == std::vector<std::string>{at("first", "exit", 1)});
  check_stale(journal.exits["first"], 1000ms, 1000ms);
  CHECK(of(journal, "between") ==
        std::vector<std::string>{at("between", "b1", 0.5), at("between", "b2", 1), at("between", "exit", 2)});
  check_stale(journal.exits["between"], 2000ms, 1000ms);  // b3 at 2.5 is dropped
  CHECK(of(journal, "tail") ==
        std::vector<std::string>{at("tail", "t1", 0.5), at("tail", "t2", 1), at("tail", "exit", 2)});
  check_stale(journal.exits["tail"], 2000ms, 1000ms);
  CHECK(of(journal, "hang") == std::vector<std::string>{at("hang", "exit", 1)});
  check_stale(journal.exits["hang"], 1000ms, 1000ms);

  CHECK(of(journal, "exact").size() == 3);
  CHECK(rungs::runners::succeeded(journal.exits["exact"]));
  CHECK_FALSE(journal.exits["exact"].stale);
  CHECK(journal.exits["exact"].silent_for == 0ms);
  CHECK(of(journal, "unsorted") == std::vector<std::string>{at("unsorted", "u1", 0.9), at("unsorted", "u2", 1.8),
                                                            at("unsorted", "exit", 2.5)});
  CHECK(rungs::runners::succeeded(journal.exits["unsorted"]));
  CHECK(journal.exits["unwatched"].duration == 5000ms);
  CHECK(rungs::runners::succeeded(journal.exits["unwatched"]));

  CHECK(runner.stale_runs() == 4);
  CHECK(runner.timeouts() == 0);
  CHECK(rungs::runners::describe(journal.exits["tail"]) ==
        "stopped after 1 s without output (heartbeat), killed by SIGTERM (2.0 s)");
}

TEST_CASE("heartbeat and timeout: the earlier one ends the run, the timeout on a tie") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["gap"] = script({{1, "g1"}, {4, "g4"}}, 5);  // heartbeat 2 s: stale at 3
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  runner.launch(watched("gap", 2000ms, 2500ms), journal.callbacks("timeout-first"));
  runner.launch(watched("gap", 2000ms, 3000ms), journal.callbacks("tie"));
  runner.launch(watched("gap", 2000ms, 3500ms), journal.callbacks("stale-first"));
  runner.launch(watched("gap", 2000ms, 4500ms), journal.callbacks("stale-long-before"));
  io.run();

  for (const char* name : {"timeout-first", "tie"}) {
    CAPTURE(name);
    const auto& status = journal.exits[name];
    CHECK(status.timed_out);
    CHECK_FALSE(status.stale);
    CHECK(status.silent_for == 0ms);
    CHECK(rungs::runners::describe(status).find("after timeout") != std::string::npos);
  }
  CHECK(journal.exits["timeout-first"].duration == 2500ms);
  CHECK(journal.exits["tie"].duration == 3000ms);
  check_stale(journal.exits["stale-first"], 3000ms, 2000ms);
  check_stale(journal.exits["stale-long-before"], 3000ms, 2000ms);
  CHECK(of(journal, "stale-first") ==
        std::vector<std::string>{at("stale-first", "g1", 1), at("stale-first", "exit", 3)});
  CHECK(runner.timeouts() == 2);
  CHECK(runner.stale_runs() == 2);
}

TEST_CASE("heartbeat: paused time does not count, the window keeps what it had left") {
  boost::asio::io_context io;
  Scripts scripts;
  scripts.by_name["gap"] = script({{1, "p1"}, {4, "p4"}}, 5);  // heartbeat 2 s: stale at 3
  scripts.by_name["clock"] = script({{2, "pause"}, {6, "resume"}}, 8);
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  const RunId id = runner.launch(watched("gap", 2000ms), journal.callbacks("gap"));
  RunCallbacks clock = journal.callbacks("clock");
  auto clock_line = clock.on_line;
  clock.on_line = [&, clock_line](std::string_view line) {
    clock_line(line);
    if (line == "pause") CHECK(runner.pause(id));  // at 2: 1 s of its 2 s window left
    else CHECK(runner.resume(id));                 // at 6, past the unpaused stale time 3
  };
  runner.launch(named("clock"), std::move(clock));
  io.run();

  const std::vector<std::string> expected = {at("gap", "p1", 1), at("clock", "pause", 2),
                                             at("clock", "resume", 6), at("gap", "exit", 7),
                                             at("clock", "exit", 8)};
  CHECK(journal.events == expected);
  check_stale(journal.exits["gap"], 7000ms, 2000ms);  // launch to exit, paused time included
  CHECK(runner.busy_seconds() == doctest::Approx(2 + 1 + 8));
}

TEST_CASE("heartbeat: a relaunch after a restart goes stale where the uninterrupted run would") {
  Scripts scripts;
  scripts.by_name["gap"] = script({{1, "a1"}, {2, "a2"}, {5, "a5"}}, 6);  // heartbeat 2 s: stale at 4
  boost::asio::io_context io;
  SimulatedRunner runner(io, scripts);
  Journal journal(&runner);
  runner.advance_clock(2.5);
  LaunchSpec relaunch = watched("gap", 2000ms);
  relaunch.already_ran_seconds = 2.5;
  runner.launch(relaunch, journal.callbacks("gap"));
  io.run();
  const std::vector<std::string> expected = {at("gap", "a1", 2.5), at("gap", "a2", 2.5), at("gap", "exit", 4)};
  CHECK(journal.events == expected);
  check_stale(journal.exits["gap"], 4000ms, 2000ms);
  CHECK(runner.busy_seconds() == doctest::Approx(1.5));
}

TEST_CASE("heartbeat: the same calls give the same events") {
  const auto journal_of = [] {
    boost::asio::io_context io;
    Scripts scripts;
    scripts.by_name["quiet"] = script({{0.5, "q"}, {3, "late"}}, 4);
    scripts.by_name["chatty"] = script({{0.5, "c1"}, {1, "c2"}, {1.5, "c3"}}, 2);
    SimulatedRunner runner(io, scripts, SimulatedRunnerOptions{2});
    Journal journal(&runner);
    std::vector<RunId> ids;
    for (int i = 0; i < 6; ++i) {
      const std::string name = i % 2 == 0 ? "quiet" : "chatty";
      ids.push_back(runner.launch(watched(name, 1000ms, i == 4 ? 1200ms : 0ms),
                                  journal.callbacks(name + std::to_string(i))));
    }
    runner.pause(ids[1]);
    runner.resume(ids[1]);
    io.run();
    return std::make_pair(journal.events, runner.stale_runs());
  };
  const auto first = journal_of();
  CHECK(first == journal_of());
  CHECK(first.first.size() == 3 * 4 + 3 * 2);  // 3 chatty runs complete, 3 quiet end early
  CHECK(first.second == 2);  // the third quiet one times out first
}

TEST_CASE("describe() names a stale run's silence") {
  ExitStatus status;
  status.kind = Kind::Signaled;
  status.signal = SIGKILL;
  status.stopped = status.stale = true;
  status.silent_for = 30004ms;
  status.duration = 95300ms;
  CHECK(rungs::runners::describe(status) ==
        "stopped after 30 s without output (heartbeat), killed by SIGKILL (95.3 s)");
  CHECK_FALSE(rungs::runners::succeeded(status));
  status.kind = Kind::Exited;  // it handled the TERM and exited cleanly: still not a success
  status.code = 0;
  status.signal = 0;
  status.silent_for = 1250ms;
  CHECK(rungs::runners::describe(status) ==
        "stopped after 1.3 s without output (heartbeat), exited with code 0 (95.3 s)");
  CHECK_FALSE(rungs::runners::succeeded(status));
}
