#include "scheduler/stopping_rule.hpp"

#include <stdexcept>

namespace rungs::scheduler {

WithStoppingRule::WithStoppingRule(std::unique_ptr<Scheduler> inner, std::unique_ptr<StoppingRule> rule)
    : inner_(std::move(inner)), rule_(std::move(rule)) {
  if (!inner_) throw std::invalid_argument("WithStoppingRule needs a scheduler (got none)");
  if (!rule_) throw std::invalid_argument("WithStoppingRule needs a stopping rule (got none)");
}

std::optional<Job> WithStoppingRule::next() {
  std::optional<Job> job = inner_->next();
  if (job) {
    running_[job->trial] = RunFlags{};
    stopped_by_rule_.erase(job->trial);  // a new run: the state is the inner scheduler's again
  }
  return job;
}

Decision WithStoppingRule::on_report(TrialId trial, const Report& report) {
  const Decision inner = inner_->on_report(trial, report);  // validates the id and the run
  const Decision by_rule = rule_->on_report(trial, report);
  const auto it = running_.find(trial);
  if (it == running_.end()) return inner;  // a run handed out before wrapping: inner only
  RunFlags& flags = it->second;
  if (flags.inner_stop || flags.rule_stop) return Decision::Stop;
  if (inner == Decision::Stop) flags.inner_stop = true;
  else if (by_rule == Decision::Stop) flags.rule_stop = true;
  return flags.inner_stop || flags.rule_stop ? Decision::Stop : Decision::Continue;
}

void WithStoppingRule::on_run_end(TrialId trial, const RunEnd& end) {
  const auto it = running_.find(trial);
  const bool rule_stop = it != running_.end() && it->second.rule_stop;
  inner_->on_run_end(trial, rule_stop ? RunEnd{end.value, true, end.measures} : end);  // validates first
  if (it != running_.end()) running_.erase(it);
  if (rule_stop) {
    stopped_by_rule_.insert(trial);
    ++stopped_by_rule_count_;
  }
  rule_->on_run_end(trial, end);
}

TrialState WithStoppingRule::state(TrialId trial) const {
  const TrialState inner = inner_->state(trial);  // out_of_range for unknown ids
  return stopped_by_rule_.contains(trial) ? TrialState::Stopped : inner;
}

}  // namespace rungs::scheduler
