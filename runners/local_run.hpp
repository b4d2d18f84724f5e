#pragma once
// What LocalRunner keeps per run: its supervisor, the pipes and timers that follow it, and how
// far it got (private to runners/local_runner.cpp).
#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/steady_timer.hpp>

#include "runners/file_watch.hpp"
#include "runners/group_leader.hpp"
#include "runners/local_runner.hpp"
#include "runners/output_follower.hpp"
#include "runners/run_limits.hpp"
#include "runners/supervised_launch.hpp"

namespace rungs::runners {

struct LocalRunner::Run {
  Run(boost::asio::io_context& io, const LaunchSpec& spec)
      : status_pipe(io),
        timeout_timer(io),
        heartbeat_timer(io),
        poll_timer(io),
        started(std::chrono::steady_clock::now()),
        grace(spec.grace),
        limits(spec.timeout, spec.heartbeat, started) {}

  RunId id = 0;
  LocalRunner* owner = nullptr;  // nulled when the runner dies: late handlers then do nothing
  RunCallbacks callbacks;
  std::shared_ptr<GroupLeader> supervisor;  // set once it started
  UniqueFd control;                         // commands to the supervisor
  std::string token;                        // RUNGS_RUN_TOKEN of the run's processes

  boost::asio::readable_pipe status_pipe;  // the supervisor's status lines
  std::array<char, 512> status_chunk{};
  std::string status_text;
  std::optional<OutputFollower> output;
  FileWatch::Handle watch = 0;
  bool reading = false;  // a read_output() is posted

  boost::asio::steady_timer timeout_timer;
  boost::asio::steady_timer heartbeat_timer;  // see RunLimits
  boost::asio::steady_timer poll_timer;       // output polling when inotify cannot watch the file
  std::chrono::steady_clock::time_point started;
  std::chrono::milliseconds grace;
  RunLimits limits;
  // Each arming of a timer gets a new generation: a completion of an earlier arming, already
  // queued when pause() cancelled the timer, must not count.
  std::uint64_t timeout_generation = 0;
  std::uint64_t heartbeat_generation = 0;

  int trial_pid = -1;
  bool exited = false;       // supervisor reaped (or never started)
  bool status_eof = false;   // the supervisor's status pipe is done
  bool output_done = false;  // the output file is read to its end after the exit
  bool finished = false;
  ExitStatus status;

  bool command(char c) const { return control && send_command(control.get(), c); }
  // Whether pause/resume/stop may still act: not exiting, not being stopped.
  bool controllable() const {
    return supervisor && supervisor->pid() > 0 && !exited && !status.stopped;
  }
};

}  // namespace rungs::runners
