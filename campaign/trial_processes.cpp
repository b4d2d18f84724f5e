#include "campaign/trial_processes.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

namespace rungs::campaign {

TrialProcesses::TrialProcesses(runners::Runner& runner, boost::asio::io_context& io, ProcessListener& listener,
                               std::size_t max_paused)
    : runner_(runner), io_(io), listener_(listener), max_paused_(max_paused) {}

void TrialProcesses::launch(scheduler::TrialId trial, runners::LaunchSpec spec, std::vector<std::string> first_lines) {
  const auto serial = ++serials_;
  post_lines(trial, serial, std::move(first_lines));
  runners::RunCallbacks callbacks;
  callbacks.on_line = [this, trial, serial](std::string_view line) { on_line(trial, serial, line); };  // a runner without offsets
  callbacks.on_line_at = [this, trial, serial](std::string_view line, std::uint64_t end) {
    on_line(trial, serial, line, end);
  };
  callbacks.on_exit = [this, trial, serial](const runners::ExitStatus& status) { on_exit(trial, serial, status); };
  callbacks.on_relaunch = [this, trial, serial] {
    if (const auto process = live_.find(trial); process != live_.end() && process->second.serial == serial)
      listener_.on_run_relaunched(trial);
  };
  live_[trial] = Process{serial, runner().launch(std::move(spec), std::move(callbacks))};  // callbacks come later
}

void TrialProcesses::stop(scheduler::TrialId trial) {
  if (const auto process = live_.find(trial); process != live_.end()) runner().stop(process->second.id);
}

void TrialProcesses::run_ended(scheduler::TrialId trial) {
  if (!kept_.count(trial)) live_.erase(trial);
}

bool TrialProcesses::keep(scheduler::TrialId trial, const fidelity::Budget& budget, bool relaunched) {
  const auto process = live_.find(trial);
  if (process == live_.end() || !runner().pause(process->second.id)) return false;
  kept_[trial] = KeptProcess{budget, relaunched, {}, ++pauses_};
  while (kept_.size() > max_paused_) {
    const auto oldest = std::min_element(kept_.begin(), kept_.end(), [](const auto& a, const auto& b) {
      return a.second.order < b.second.order;
    });
    end_kept(oldest->first, /*keep_lines=*/true);
  }
  return true;
}

const KeptProcess* TrialProcesses::kept(scheduler::TrialId trial) const {
  const auto found = kept_.find(trial);
  return found == kept_.end() ? nullptr : &found->second;
}

void TrialProcesses::continue_kept(scheduler::TrialId trial) {
  const auto kept = kept_.find(trial);
  auto lines = std::move(kept->second.lines);
  kept_.erase(kept);
  const auto& process = live_.at(trial);
  runner().resume(process.id);  // if it is dying meanwhile, its exit ends the run
  post_lines(trial, process.serial, std::move(lines));
}

void TrialProcesses::end_kept(scheduler::TrialId trial, bool keep_lines) {
  if (const auto kept = kept_.find(trial); kept != kept_.end() && keep_lines && !kept->second.lines.empty())
    held_lines_[trial] = std::move(kept->second.lines);
  kept_.erase(trial);
  const auto process = live_.find(trial);
  if (process == live_.end()) return;
  ending_[process->second.serial] = trial;
  lost_.insert(trial);
  runner().stop(process->second.id);  // SIGTERM with a SIGCONT, so it can handle it
  live_.erase(process);
}

void TrialProcesses::end_all_kept() {
  while (!kept_.empty()) end_kept(kept_.begin()->first);
}

void TrialProcesses::stop_all() {
  end_all_kept();
  runner().stop_all();
}

std::optional<std::vector<std::string>> TrialProcesses::take_lost(scheduler::TrialId trial) {
  auto held = held_lines_.extract(trial);
  const bool lost = lost_.erase(trial) > 0;
  if (held) return std::move(held.mapped());
  if (lost) return std::vector<std::string>{};
  return std::nullopt;
}

void TrialProcesses::on_line(scheduler::TrialId trial, std::uint64_t serial, std::string_view line,
                             std::optional<std::uint64_t> end) {
  const auto process = live_.find(trial);
  if (process == live_.end() || process->second.serial != serial) {
    // An ended kept process's last words (its SIGSTOP landed late): they belong to the
    // trial's run now out, which drops what it prints again, or to its next run.
    if (ending_.count(serial) && !listener_.on_late_line(trial, line)) held_lines_[trial].emplace_back(line);
    return;
  }
  if (const auto kept = kept_.find(trial); kept != kept_.end()) kept->second.lines.emplace_back(line);
  else listener_.on_run_line(trial, line, end);
}

void TrialProcesses::on_exit(scheduler::TrialId trial, std::uint64_t serial, const runners::ExitStatus& status) {
  const auto process = live_.find(trial);
  if (process == live_.end() || process->second.serial != serial) {  // an ended kept process
    ending_.erase(serial);
    listener_.on_process_gone();
    return;
  }
  live_.erase(process);
  if (const auto kept = kept_.find(trial); kept != kept_.end()) {
    // Died while kept: what it printed after the pause goes to the trial's next run; a
    // promotion relaunches it from its checkpoint.
    if (!kept->second.lines.empty()) held_lines_[trial] = std::move(kept->second.lines);
    kept_.erase(kept);
    lost_.insert(trial);
    listener_.on_kept_process_died(trial, status);
    return;
  }
  listener_.on_run_exit(trial, status);
}

// Posted, not delivered at once: a report in them may end the run, which must not happen
// inside the loop's launch.
void TrialProcesses::post_lines(scheduler::TrialId trial, std::uint64_t serial, std::vector<std::string> lines) {
  if (lines.empty()) return;
  boost::asio::post(io_, [this, trial, serial, lines = std::move(lines)] {
    for (const auto& line : lines) on_line(trial, serial, line);
  });
}

}  // namespace rungs::campaign
