// SlurmRunner's submissions: sbatch (at most max_submitting at once), and after an answer that
// was lost, the search for the job by the run's name before anything is submitted again.
#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <csignal>

#include "runners/command_call.hpp"
#include "runners/exec_plan.hpp"
#include "runners/slurm_commands.hpp"
#include "runners/slurm_run.hpp"
#include "runners/slurm_runner.hpp"
#include "runners/supervised_launch.hpp"

namespace rungs::runners {

namespace asio = boost::asio;

namespace {

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

}  // namespace rungs::runners
