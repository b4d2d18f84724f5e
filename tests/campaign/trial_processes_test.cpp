// The keeper of trial processes (campaign/trial_processes.hpp) over a runner fake whose
// callbacks the test fires by hand: where lines and exits go for live, kept, ended and
// died-while-kept processes, eviction beyond max_paused, and what a relaunch inherits.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <map>
#include <string>
#include <vector>

#include "campaign/trial_processes.hpp"

using namespace rungs;
using campaign::TrialProcesses;
using scheduler::TrialId;

namespace {

// Runs that the test drives: line(id, ...) and exit(id) call the keeper's callbacks.
class HandRunner final : public runners::Runner {
 public:
  struct Run {
    runners::LaunchSpec spec;
    runners::RunCallbacks callbacks;
    bool paused = false;
    bool stopped = false;
    bool ended = false;
  };
  std::map<runners::RunId, Run> runs;
  runners::RunId last = 0;

  runners::RunId launch(runners::LaunchSpec spec, runners::RunCallbacks callbacks) override {
    runs[++last] = Run{std::move(spec), std::move(callbacks)};
    return last;
  }
  void stop(runners::RunId id) override { runs.at(id).stopped = true; }
  void stop_all() override {
    for (auto& [id, run] : runs)
      if (!run.ended) run.stopped = true;
  }
  bool pause(runners::RunId id) override {
    auto& run = runs.at(id);
    if (run.ended || run.stopped || run.paused) return false;
    return run.paused = true;
  }
  bool resume(runners::RunId id) override {
    auto& run = runs.at(id);
    if (!run.paused) return false;
    run.paused = false;
    return true;
  }
  std::size_t running() const override { return 0; }

  void line(runners::RunId id, const std::string& text) { runs.at(id).callbacks.on_line(text); }
  void exit(runners::RunId id, int code = 0) {
    runners::ExitStatus status;
    status.kind = runners::ExitStatus::Kind::Exited;
    status.code = code;
    runs.at(id).ended = true;
    runs.at(id).callbacks.on_exit(status);
  }
};

// What the dispatcher would hear; `runs_out` says which trials have a run out.
struct Heard final : campaign::ProcessListener {
  std::map<TrialId, bool> runs_out;  // trial -> run out
  std::vector<std::string> lines;    // "trial:line"
  std::vector<std::string> late;
  std::vector<TrialId> exits;
  std::vector<TrialId> died;
  int gone = 0;

  void on_run_line(TrialId trial, std::string_view line, std::optional<std::uint64_t>) override {
    lines.push_back(std::to_string(trial) + ":" + std::string(line));
  }
  void on_run_exit(TrialId trial, const runners::ExitStatus&) override { exits.push_back(trial); }
  bool on_late_line(TrialId trial, std::string_view line) override {
    if (!runs_out[trial]) return false;
    late.push_back(std::to_string(trial) + ":" + std::string(line));
    return true;
  }
  void on_kept_process_died(TrialId trial, const runners::ExitStatus&) override { died.push_back(trial); }
  void on_process_gone() override { ++gone; }
};

fidelity::Budget level(std::size_t n) {
  fidelity::Budget budget;
  budget.level = n;
  budget.values["epochs"] = static_cast<double>(n + 1);
  return budget;
}

}  // namespace

TEST_CASE("trial processes: a kept process holds what it prints, and continues with it as the next run") {
  boost::asio::io_context io;
  HandRunner runner;
  Heard heard;
  TrialProcesses processes(runner, io, heard, /*max_paused=*/4);

  processes.launch(1, {});
  runner.line(1, "a");
  CHECK(heard.lines == std::vector<std::string>{"1:a"});
  CHECK(processes.idle());

  REQUIRE(processes.keep(1, level(0), /*relaunched=*/true));
  CHECK(runner.runs.at(1).paused);
  processes.run_ended(1);  // the run ended (paused): the process stays the trial's
  CHECK_FALSE(processes.idle());
  runner.line(1, "printed before the SIGSTOP landed");
  CHECK(heard.lines.size() == 1);
  const auto* kept = processes.kept(1);
  REQUIRE(kept != nullptr);
  CHECK(kept->relaunched);
  CHECK(kept->budget.level == 0);

  processes.continue_kept(1);
  CHECK_FALSE(runner.runs.at(1).paused);
  CHECK(processes.kept(1) == nullptr);
  CHECK(heard.lines.size() == 1);  // posted, not delivered inside the call
  io.run();
  CHECK(heard.lines.back() == "1:printed before the SIGSTOP landed");
  runner.line(1, "b");
  CHECK(heard.lines.back() == "1:b");
  runner.exit(1);
  CHECK(heard.exits == std::vector<TrialId>{1});
  CHECK_FALSE(processes.take_lost(1).has_value());  // its process never was lost
}

TEST_CASE("trial processes: beyond max_paused the oldest kept process ends, its late lines reach the next run") {
  boost::asio::io_context io;
  HandRunner runner;
  Heard heard;
  TrialProcesses processes(runner, io, heard, /*max_paused=*/1);

  processes.launch(1, {});  // run id 1
  processes.launch(2, {});  // run id 2
  REQUIRE(processes.keep(1, level(0), false));
  processes.run_ended(1);
  runner.line(1, "held 1");
  REQUIRE(processes.keep(2, level(0), false));  // one too many: trial 1's process ends
  processes.run_ended(2);
  CHECK(runner.runs.at(1).stopped);
  CHECK_FALSE(runner.runs.at(2).stopped);
  CHECK(processes.kept(1) == nullptr);
  CHECK(processes.kept(2) != nullptr);

  runner.line(1, "late 1");  // no run of trial 1 is out: held for its next run
  runner.exit(1, 143);
  CHECK(heard.gone == 1);
  CHECK(heard.exits.empty());  // not a run's exit
  CHECK(heard.died.empty());

  const auto lost = processes.take_lost(1);
  REQUIRE(lost.has_value());
  CHECK(*lost == std::vector<std::string>{"held 1", "late 1"});
  CHECK_FALSE(processes.take_lost(1).has_value());  // once

  // The relaunched run's process gets them first, tagged as its own.
  processes.launch(1, {}, *lost);  // run id 3
  runner.line(3, "own");           // a line before the posted ones run
  io.run();
  CHECK(heard.lines == std::vector<std::string>{"1:own", "1:held 1", "1:late 1"});

  processes.stop_all();  // ends the kept one, stops every run
  CHECK(runner.runs.at(2).stopped);
  CHECK(runner.runs.at(3).stopped);
}

TEST_CASE("trial processes: a late line of an ended process goes to the trial's run out, one that dies kept is lost") {
  boost::asio::io_context io;
  HandRunner runner;
  Heard heard;
  TrialProcesses processes(runner, io, heard, /*max_paused=*/4);

  processes.launch(1, {});  // run id 1
  REQUIRE(processes.keep(1, level(0), false));
  processes.run_ended(1);
  processes.end_kept(1);  // a promotion with more data: relaunched from its checkpoint
  REQUIRE(processes.take_lost(1).has_value());
  heard.runs_out[1] = true;
  processes.launch(1, {});  // run id 2
  runner.line(1, "late");
  CHECK(heard.late == std::vector<std::string>{"1:late"});
  CHECK(heard.lines.empty());
  runner.exit(1);
  CHECK(heard.gone == 1);
  CHECK(heard.exits.empty());

  // The live process of trial 1 is kept, then dies by itself: the trial has lost it.
  REQUIRE(processes.keep(1, level(1), false));
  processes.run_ended(1);
  heard.runs_out[1] = false;
  runner.line(2, "after the pause");
  runner.exit(2);
  CHECK(heard.died == std::vector<TrialId>{1});
  CHECK(processes.idle());
  const auto lost = processes.take_lost(1);
  REQUIRE(lost.has_value());
  CHECK(*lost == std::vector<std::string>{"after the pause"});

  // A process that could not be paused (it is ending) is not kept.
  processes.launch(3, {});  // run id 3
  runner.runs.at(3).stopped = true;
  CHECK_FALSE(processes.keep(3, level(0), false));
  CHECK(processes.kept(3) == nullptr);
}
