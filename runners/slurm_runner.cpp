#include "runners/slurm_runner.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>

#include "runners/command_call.hpp"
#include "runners/exec_plan.hpp"
#include "runners/local_runner.hpp"
#include "runners/output_follower.hpp"
#include "runners/slurm_commands.hpp"
#include "runners/slurm_run_record.hpp"
#include "runners/supervised_launch.hpp"

namespace rungs::runners {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

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
  Clock::time_point launched = Clock::now();
  std::optional<Clock::time_point> running_since, last_line;
  int misses = 0;                  // polls that did not list the job
  std::unique_ptr<asio::steady_timer> kill_timer;
};

namespace {

std::string random_suffix() {
  std::random_device device;
  return fmt::format("{:08x}", std::uniform_int_distribution<std::uint32_t>()(device));
}

// The end the run's supervisor recorded for `job` ("end exit 3", "end signal 15", "end failed ...").
std::optional<ExitStatus> recorded_end(const std::filesystem::path& record, const std::string& job) {
  std::ifstream in(record.string() + "." + job);
  std::string line, ends;
  while (std::getline(in, line))
    if (line.rfind("end ", 0) == 0) ends += line.substr(4) + "\n";
  return parse_supervisor_status(ends).end;
}

// Lost contact, not a verdict on the job: try again later.
bool unreachable(const CommandResult& result) {
  if (!result.ran || result.timed_out) return true;
  const auto text = result.err;
  for (const char* sign : {"Unable to contact", "Socket timed out", "Connection refused", "Communication connection",
                           "Zero Bytes were transmitted", "Slurm backup controller in standby", "Unable to resolve"})
    if (text.find(sign) != std::string::npos) return true;
  return false;
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
  *alive_ = false;
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

// sbatch (or, after a submission whose answer was lost, first a search by the run's name).
void SlurmRunner::submit(Run& run) {
  if (run.uncertain) {
    run.submitting = true;
    return find_by_name(run.id);
  }
  if (run.status.stopped) {  // stopped before any job was queued: nothing to cancel
    ExitStatus status = run.status;
    status.kind = ExitStatus::Kind::Signaled;
    status.signal = SIGTERM;
    status.error = "stopped before Slurm took the job";
    asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), id = run.id, status] {
      if (alive.lock()) finish(id, status);
    });
    return;
  }
  run.submitting = true;
  if (submitting_now_ >= options_.max_submitting) {  // a burst of launches waits its turn
    waiting_to_submit_.push_back(run.id);
    return;
  }
  ++submitting_now_;
  run.record.submitting = true;
  save(run);
  ExecPlan trial;
  plan_exec(run.spec, options_.program_dirs, trial);  // checked at launch
  const auto supervisor = supervisor_plan(options_.supervisor, trial, run.spec.grace, run.record.name, {});
  JobRequest request{run.record.name, run.spec.working_dir, run.spec.stdout_path, run.spec.stderr_path,
                     run.spec.resources, options_.job_script, {run.spec.process_record.string()}};
  request.script_args.insert(request.script_args.end(), supervisor.argv.begin() + 1, supervisor.argv.end());
  ++sbatch_calls_;
  call_command(io_, sbatch_argv(options_.sbatch, request), trial.env, options_.command_deadline,
               [this, alive = std::weak_ptr<bool>(alive_), id = run.id](CommandResult result) {
                 if (!alive.lock()) return;
                 --submitting_now_;
                 on_submitted(id, result);
                 submit_waiting();
               });
}

void SlurmRunner::submit_waiting() {
  while (submitting_now_ < options_.max_submitting && !waiting_to_submit_.empty()) {
    const auto id = waiting_to_submit_.front();
    waiting_to_submit_.pop_front();
    if (const auto run = runs_.find(id); run != runs_.end()) submit(*run->second);
  }
}

void SlurmRunner::find_by_name(RunId id) {
  ++squeue_calls_;
  const auto& name = runs_.at(id)->record.name;
  call_command(io_, squeue_by_name_argv(options_.squeue, name), environment_with({}), options_.command_deadline,
               [this, alive = std::weak_ptr<bool>(alive_), id](CommandResult result) {
                 if (!alive.lock()) return;
                 const auto found = runs_.find(id);
                 if (found == runs_.end()) return;
                 Run& run = *found->second;
                 if (!result.ok()) {
                   warn(fmt::format("cannot ask Slurm for job {}: {}; trying again", run.record.name, result.message()));
                   run.submitting = false;  // the next poll asks again
                   return;
                 }
                 run.uncertain = false;
                 // Every job of the run's chain has its name: the one sought is not in the record yet.
                 std::optional<std::string> newest;
                 for (const auto& job : parse_job_ids(result.out))
                   if (std::find(run.record.jobs.begin(), run.record.jobs.end(), job) == run.record.jobs.end() &&
                       (!newest || job.size() > newest->size() || (job.size() == newest->size() && job > *newest)))
                     newest = job;
                 if (!newest) {
                   run.submitting = false;
                   return submit(run);  // it was never submitted
                 }
                 run.submitting = false;
                 run.job = *newest;
                 run.record.jobs.push_back(run.job);
                 run.record.submitting = false;
                 save(run);
                 if (run.status.stopped) cancel({run.job});
               });
}

void SlurmRunner::on_submitted(RunId id, const CommandResult& result) {
  const auto found = runs_.find(id);
  if (found == runs_.end()) return;
  Run& run = *found->second;
  run.submitting = false;
  const auto job = result.ok() ? parse_sbatch(result.out) : std::nullopt;
  if (job) {
    run.job = *job;
    run.misses = 0;
    run.record.jobs.push_back(*job);
    run.record.submitting = false;
    save(run);
    if (run.status.stopped) cancel({run.job});
    return;
  }
  if (unreachable(result)) {
    // The controller may have queued it without our hearing: look for it by name first.
    warn(fmt::format("sbatch for {} did not get through: {}; trying again", run.record.name, result.message()));
    run.uncertain = true;
    return;  // the next poll retries
  }
  ExitStatus status;
  status.kind = ExitStatus::Kind::LaunchFailed;
  status.error = result.ok() ? fmt::format("sbatch printed no job id: {}", result.out)
                             : fmt::format("Slurm refused the job: {}", result.message());
  run.record.submitting = false;
  save(run);
  finish(id, status);
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
  ExitStatus status = run.status;
  if (recorded) {
    status.kind = recorded->kind;
    status.code = recorded->code;
    status.signal = recorded->signal;
    status.error = recorded->error;
  } else if (state.rfind("CANCELLED", 0) == 0) {
    status.kind = ExitStatus::Kind::Signaled;
    status.signal = SIGTERM;
  } else if (reason == "JobLaunchFailure" || state == "BOOT_FAIL") {
    status.kind = ExitStatus::Kind::LaunchFailed;
    status.error = fmt::format("Slurm could not start job {}: {} ({})", run.job, state, reason);
  } else {
    status.kind = ExitStatus::Kind::Unknown;
    status.error = state.empty() ? fmt::format("job {} is no longer known to Slurm and left no exit record", run.job)
                                 : fmt::format("job {} ended as {} ({}) and left no exit record", run.job, state, reason);
  }
  if (ended_by_cluster(state) && !run.status.stopped && status.error.empty())
    status.error = fmt::format("job {} ended with {} after {} resubmits", run.job, state, run.record.resubmits);
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
  save(run);
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
