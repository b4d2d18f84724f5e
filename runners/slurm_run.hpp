#pragma once
// What SlurmRunner keeps per run (private to the runner's two files:
// the run's life in slurm_runner.cpp, its submissions in slurm_submit.cpp).
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/steady_timer.hpp>

#include "runners/output_follower.hpp"
#include "runners/slurm_run_record.hpp"
#include "runners/slurm_runner.hpp"

namespace rungs::runners {

struct SlurmRunner::Run {
  RunId id = 0;
  LaunchSpec spec;
  RunCallbacks callbacks;
  SlurmRunRecord record;           // what is on disk at spec.process_record
  std::string job;                 // the current job; empty while none is known
  bool submitting = false;         // an sbatch (or the search by name) is under way
  bool uncertain = false;          // an sbatch may have succeeded unseen: search by name first
  std::optional<OutputFollower> follower;
  ExitStatus status;               // flags (stopped, timed_out, stale) gathered on the way
  std::chrono::steady_clock::time_point launched = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> running_since, last_line;
  int misses = 0;                  // polls that did not list the job
  std::unique_ptr<boost::asio::steady_timer> kill_timer;
};

}  // namespace rungs::runners
