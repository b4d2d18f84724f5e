#include "runners/slurm_runner.hpp"

#include <fcntl.h>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <optional>
#include <random>

#include "runners/command_call.hpp"
#include "runners/exec_plan.hpp"
#include "runners/local_runner.hpp"
#include "runners/output_follower.hpp"
#include "runners/slurm_commands.hpp"
#include "runners/slurm_job_end.hpp"
#include "runners/slurm_run.hpp"

namespace rungs::runners {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

std::string random_suffix() {
  std::random_device device;
  return fmt::format("{:08x}", std::uniform_int_distribution<std::uint32_t>()(device));
}

}  // namespace

SlurmRunner::SlurmRunner(asio::io_context& io, SlurmRunnerOptions options)
    : io_(io), options_(std::move(options)), poll_timer_(io), output_timer_(io) {
  if (options_.supervisor.empty()) options_.supervisor = find_supervisor(options_.program_dirs);
  if (options_.job_script.empty()) throw std::runtime_error("the Slurm runner needs a path for its job script");
  std::filesystem::create_directories(options_.job_script.parent_path());
  std::ofstream(options_.job_script) << job_script_text(std::filesystem::absolute(options_.supervisor));
  std::error_code ec;
  std::filesystem::permissions(options_.job_script, std::filesystem::perms(0755), ec);
  if (!std::filesystem::exists(options_.job_script) || ec)
    throw std::runtime_error(fmt::format("cannot write the Slurm job script {}", options_.job_script.string()));
}

SlurmRunner::~SlurmRunner() {
  poll_timer_.cancel();
  output_timer_.cancel();
}

RunId SlurmRunner::launch(LaunchSpec spec, RunCallbacks callbacks) {
  auto run = std::make_unique<Run>();
  run->id = ++next_id_;
  Run& r = *run;
  runs_[r.id] = std::move(run);
  r.callbacks = std::move(callbacks);
  r.spec = std::move(spec);
  auto& s = r.spec;
  s.working_dir = std::filesystem::absolute(s.working_dir.empty() ? std::filesystem::current_path() : s.working_dir);
  const auto suffix = random_suffix();
  if (s.stdout_path.empty()) s.stdout_path = s.working_dir / ("slurm-" + suffix + ".out");
  if (s.stderr_path.empty()) s.stderr_path = s.stdout_path.string() + ".err";
  if (s.process_record.empty()) s.process_record = s.working_dir / ("slurm-" + suffix + ".record");
  auto failed = [&](std::string why) {
    ExitStatus status;
    status.kind = ExitStatus::Kind::LaunchFailed;
    status.error = std::move(why);
    asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), id = r.id, status] {
      if (alive.lock()) finish(id, status);
    });
    return r.id;
  };
  ExecPlan plan;
  if (auto error = plan_exec(s, options_.program_dirs, plan); !error.empty()) return failed(error);
  const int fd = ::open(s.stdout_path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return failed(fmt::format("cannot open {}: {}", s.stdout_path.string(), std::strerror(errno)));
  r.follower.emplace(UniqueFd(fd), s.stdout_offset, options_.max_line_bytes);

  const auto previous = read_slurm_record(s.process_record);
  if (previous && !previous->collected && (previous->submitting || !previous->jobs.empty())) {
    // rungs was restarted: follow the job the record names, or find the one it was submitting.
    r.record = *previous;
    if (previous->submitting) {
      r.uncertain = true;
      submit(r);
    } else {
      r.job = previous->jobs.back();
    }
  } else {
    r.record = SlurmRunRecord{};
    r.record.name = (s.name.empty() ? std::string("rungs") : s.name) + "-" + suffix;
    submit(r);
  }
  schedule_poll(std::chrono::milliseconds(0));
  return r.id;
}

void SlurmRunner::schedule_poll(std::chrono::milliseconds after) {
  const auto when = Clock::now() + after;
  if (poll_timer_.expiry() > Clock::now() && poll_timer_.expiry() <= when) return;  // one is due sooner
  poll_timer_.expires_at(when);
  poll_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (!ec && alive.lock()) poll();
  });
  if (output_timer_.expiry() <= Clock::now()) {
    output_timer_.expires_after(options_.output_poll);
    output_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
      if (!ec && alive.lock()) read_output();
    });
  }
}

// One squeue for every job out; runs whose submission must be retried are retried here.
void SlurmRunner::poll() {
  if (runs_.empty()) return;
  schedule_poll(options_.poll);
  std::vector<std::string> jobs;
  for (auto& [id, run] : runs_) {
    if (!run->job.empty()) jobs.push_back(run->job);
    else if (!run->submitting) submit(*run);  // a submission to retry
  }
  if (jobs.empty() || polling_) return;
  polling_ = true;
  ++squeue_calls_;
  call_command(io_, squeue_argv(options_.squeue, jobs), environment_with({}), options_.command_deadline,
               [this, alive = std::weak_ptr<bool>(alive_)](CommandResult result) {
                 if (!alive.lock()) return;
                 polling_ = false;
                 on_states(result);
               });
}

void SlurmRunner::on_states(const CommandResult& result) {
  // squeue fails as a whole when none of the ids is known any more ("Invalid job id").
  const bool none_known = !result.ok() && result.err.find("Invalid job id") != std::string::npos;
  if (!result.ok() && !none_known) {
    warn(fmt::format("squeue failed: {}; trying again in {} s", result.message(), options_.poll.count() / 1000.0));
    return;
  }
  const auto states = parse_squeue(none_known ? std::string_view() : std::string_view(result.out));
  std::vector<std::pair<RunId, JobState>> ended;
  for (auto& [id, run] : runs_) {
    if (run->job.empty()) continue;
    const auto state = states.find(run->job);
    if (state == states.end()) {
      // Gone from the controller's memory (or not there yet): its supervisor's record says how it ended.
      if (recorded_end(run->spec.process_record, run->job) || ++run->misses >= 3) ended.emplace_back(id, JobState{"", ""});
      continue;
    }
    run->misses = 0;
    const auto phase = job_phase(state->second.state);
    if (phase != JobPhase::Waiting && !run->running_since) run->running_since = run->last_line = Clock::now();
    if (phase == JobPhase::Ended) ended.emplace_back(id, state->second);
  }
  for (auto& [id, state] : ended)
    if (const auto run = runs_.find(id); run != runs_.end()) job_ended(*run->second, state.state, state.reason);
}

void SlurmRunner::read_output() {
  const auto now = Clock::now();
  std::vector<RunId> ids;
  for (const auto& [id, run] : runs_) ids.push_back(id);
  for (const auto id : ids) {
    const auto run = runs_.find(id);
    if (run == runs_.end()) continue;
    if (read_lines(*run->second)) check_limits(*run->second, now);
  }
  if (!runs_.empty()) {
    output_timer_.expires_after(options_.output_poll);
    output_timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
      if (!ec && alive.lock()) read_output();
    });
  }
}

// Delivers the complete lines appended since the last read. False if the run ended meanwhile
// (a callback may stop it; it is still there until its end is delivered, so never).
bool SlurmRunner::read_lines(Run& run) {
  if (!run.follower) return true;
  const RunId id = run.id;
  bool any = false;
  while (run.follower->read_some([&](std::string_view line, std::uint64_t end) {
    any = true;
    deliver_line(run.callbacks, line, end);
    return runs_.count(id) > 0;
  }) == OutputFollower::Progress::More) {
  }
  if (any) {
    run.last_line = Clock::now();
    if (!run.running_since) run.running_since = run.last_line;
  }
  return runs_.count(id) > 0;
}

void SlurmRunner::check_limits(Run& run, Clock::time_point now) {
  if (!run.running_since || run.status.stopped) return;
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  if (run.spec.timeout.count() > 0 && now - *run.running_since >= run.spec.timeout) {
    run.status.timed_out = true;
    stop(run.id);
  } else if (run.spec.heartbeat.count() > 0 && now - *run.last_line >= run.spec.heartbeat) {
    run.status.stale = true;
    run.status.silent_for = duration_cast<milliseconds>(now - *run.last_line);
    stop(run.id);
  }
}

void SlurmRunner::job_ended(Run& run, const std::string& state, const std::string& reason) {
  read_lines(run);  // everything the job wrote before it ended
  const auto recorded = recorded_end(run.spec.process_record, run.job);
  if (ended_by_cluster(state) && !run.status.stopped && run.record.resubmits < options_.max_resubmits) {
    ++run.record.resubmits;
    warn(fmt::format("job {} ({}) ended with {}; continuing in a new job from its checkpoint ({} of {})", run.job,
                     run.record.name, state, run.record.resubmits, options_.max_resubmits));
    run.job.clear();
    run.running_since.reset();
    run.spec.env["RUNGS_RELAUNCH"] = "1";
    if (run.callbacks.on_relaunch) run.callbacks.on_relaunch();
    return submit(run);
  }
  const auto status = judge_job_end(
      run.status, JobEnd{run.job, state, reason, recorded, run.running_since.has_value(), run.record.resubmits});
  finish(run.id, status);
}

void SlurmRunner::finish(RunId id, ExitStatus status) {
  const auto found = runs_.find(id);
  if (found == runs_.end()) return;
  Run& run = *found->second;
  if (run.follower) {
    read_lines(run);
    if (runs_.count(id) == 0) return;
    run.follower->finish([&](std::string_view line, std::uint64_t end) {
      deliver_line(run.callbacks, line, end);
      return true;
    });
  }
  if (run.kill_timer) run.kill_timer->cancel();
  status.duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - run.launched);
  // Collected before the callback, which may launch this run again with the same record (a
  // retry): that launch submits anew. (A crash between here and the loop recording the end
  // makes a resume run it again from its checkpoint, never lose it.)
  run.record.collected = true;
  if (!run.record.name.empty()) save(run);  // no record for a launch that failed before any job
  auto node = runs_.extract(found);
  auto on_exit = std::move(node.mapped()->callbacks.on_exit);
  if (on_exit) on_exit(status);
}

// Marks the run stopped and arms its KILL after the grace. True if it has a job to cancel.
bool SlurmRunner::begin_stop(Run& run) {
  if (run.status.stopped) return false;
  run.status.stopped = true;
  if (run.job.empty()) return false;  // cancelled when its submission is answered
  run.kill_timer = std::make_unique<asio::steady_timer>(io_, run.spec.grace);
  run.kill_timer->async_wait(
      [this, alive = std::weak_ptr<bool>(alive_), id = run.id, job = run.job](const boost::system::error_code& ec) {
        if (!ec && alive.lock() && runs_.count(id)) cancel({job}, "KILL");
      });
  return true;
}

void SlurmRunner::stop(RunId id) {
  const auto found = runs_.find(id);
  if (found != runs_.end() && begin_stop(*found->second)) cancel({found->second->job});
}

void SlurmRunner::stop_all() {
  std::vector<std::string> jobs;  // one scancel for all of them
  for (auto& [id, run] : runs_)
    if (begin_stop(*run)) jobs.push_back(run->job);
  if (!jobs.empty()) cancel(jobs);
}

void SlurmRunner::end_recorded(const std::filesystem::path& path, std::chrono::milliseconds) {
  auto record = read_slurm_record(path);
  if (!record || record->collected || record->jobs.empty()) return;
  cancel({record->jobs.back()});
  record->collected = true;
  try {
    write_slurm_record(path, *record);
  } catch (const std::exception& e) {
    warn(e.what());
  }
}

void SlurmRunner::cancel(const std::vector<std::string>& jobs, const std::string& signal) {
  call_command(io_, scancel_argv(options_.scancel, jobs, signal), environment_with({}), options_.command_deadline,
               [this, alive = std::weak_ptr<bool>(alive_), jobs](CommandResult result) {
                 if (!alive.lock()) return;
                 if (!result.ok() && result.err.find("already completing or completed") == std::string::npos &&
                     result.err.find("Invalid job id") == std::string::npos)
                   warn(fmt::format("scancel of job {} failed: {}", jobs.front(), result.message()));
               });
  schedule_poll(std::chrono::milliseconds(500));  // see it end soon
}

void SlurmRunner::warn(const std::string& text) const {
  if (options_.on_warning) options_.on_warning(text);
}

void SlurmRunner::save(const Run& run) const {
  try {
    write_slurm_record(run.spec.process_record, run.record);
  } catch (const std::exception& e) {
    warn(e.what());  // the run goes on; only a restart of rungs would miss it
  }
}

}  // namespace rungs::runners
