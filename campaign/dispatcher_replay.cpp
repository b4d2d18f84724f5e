// How a resumed campaign comes back: the recorded reports, exits and retries re-applied
// through the dispatcher's own paths (event_journal.hpp checks what it writes in reaction),
// then the runs that were out relaunched from their checkpoints.
#include "campaign/dispatcher.hpp"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <csignal>
#include <limits>

#include "campaign/signal_pause.hpp"
#include "campaign/trial_launch.hpp"

namespace rungs::campaign {

void Dispatcher::replay() {
  while (const store::Event* event = journal_.next_input()) {
    if (event->kind == store::EventKind::Report) replay_report(*event);
    else if (event->kind == store::EventKind::Exit) replay_exit(*event);
    else if (event->kind == store::EventKind::Resume) replay_growth(*event), pump();  // as when it grew
    else ++replayed_run(*event).attempts;  // a retry
  }
  journal_.end_replay();
}

ActiveRun& Dispatcher::replayed_run(const store::Event& event) {
  const auto found = active_.find(static_cast<scheduler::TrialId>(event.trial.value_or(0)));
  if (found == active_.end() || found->second->run_number != event.run.value_or(0))
    throw journal_.mismatch(event, "for a run that is not out at this point");
  return *found->second;
}

void Dispatcher::replay_report(const store::Event& event) {
  ActiveRun& run = replayed_run(event);
  const auto& data = event.data;
  run.line_number = data.value("line", run.line_number);
  if (const auto offset = data.find("offset"); offset != data.end() && offset->is_number_unsigned())
    run.output_offset = offset->get<std::uint64_t>();
  std::optional<double> step;
  if (data["step"].is_number()) step = data["step"].get<double>();
  trials_.at(run.job.trial).repeats.remember(data["step"], data["metrics"]);
  if (note_report(run, step, data["metrics"]) && decide(run, step)) maybe_pause(run, step);
}

void Dispatcher::replay_exit(const store::Event& event) {
  ActiveRun& run = replayed_run(event);
  const auto& data = event.data;
  const std::string failure = data["failure"].is_string() ? data["failure"].get<std::string>() : "";
  if (run.stop_requested && failure.empty()) charge_trained(run);
  const double value = data["value"].is_number() ? spec_.metric.to_minimize(data["value"].get<double>())
                                                : std::numeric_limits<double>::quiet_NaN();
  apply_exit(static_cast<scheduler::TrialId>(*event.trial), failure, value);
}

// The replay has ended: the campaign is where it was when it stopped. Runs that were out
// start again from their checkpoints; those the scheduler had decided to stop end now.
void Dispatcher::relaunch_runs_out() {
  const double last = journal_.end_time();
  const auto grown = grow_to_spec();
  // Stopped at limits.wall, and not given more: the runs out stay out (a resume with a larger
  // wall relaunches them), as when the limit stopped them.
  const bool at_wall = wall_reached();
  std::size_t relaunched = 0;
  std::vector<scheduler::TrialId> stopped;
  for (auto& [trial, run] : active_)
    if (run->stop_requested) stopped.push_back(trial);
    else if (!run->pausing && !at_wall) ++relaunched;
  auto resume = events_.resume(now(), journal_.recorded(), relaunched, stopped.size());
  if (!grown.is_null()) resume.data["grown"] = grown;
  journal_.write(std::move(resume));
  if (at_wall) {
    limit_reached_ = Limit::Wall;
    interrupted_ = true;
    for (auto it = active_.begin(); it != active_.end();)
      it = it->second->stop_requested || it->second->pausing ? std::next(it) : active_.erase(it);
  }

  for (const auto trial : stopped) {
    // The stop had been decided (and recorded) but its exit was not: it ends as stopped, and
    // whatever the runner still has of it (a Slurm job, leftover processes) is ended.
    if (options_.output_files) processes_.end_recorded(process_record(*active_.at(trial)), spec_.trial.grace);
    boost::asio::post(io_, [this, trial] {
      runners::ExitStatus status;
      status.kind = runners::ExitStatus::Kind::Signaled;
      status.signal = SIGTERM;
      status.stopped = true;
      status.error = "ended on resume";
      on_exit(trial, status);
    });
  }
  for (auto& [trial, run] : active_) {
    if (run->stop_requested || run->pausing) continue;  // ends now, its end being recorded
    run->relaunched = true;
    const double already_ran = std::max(0.0, last - run->started);
    journal_.write(events_.relaunch(now(), *run, already_ran));
    if (run->job.inherits) inherit(*run);  // copied once: a crash may have come before the copy
    auto launch = prepare_launch(spec_, launched_job(spec_, run->job), run->trial_dir);
    run->pause_at = pause_step(spec_, run->job);
    // Whatever it checkpointed before the interruption; RUNGS_RESUME keeps saying whether
    // the run itself continues from the level below (the simulated trials read that).
    launch.env["RUNGS_RELAUNCH"] = std::string(1, '1');  // = "1" trips GCC 12's -Wrestrict (PR105329)
    launch.already_ran_seconds = already_ran;
    run->stdout_log.open(run->trial_dir / "stdout.log", std::ios::app);
    run->stdout_log << fmt::format("# run {} relaunched after the campaign resumed\n", run->run_number);
    submit(*run, std::move(launch));
  }
}

}  // namespace rungs::campaign
