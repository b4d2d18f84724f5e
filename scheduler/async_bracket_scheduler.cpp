#include "scheduler/async_bracket_scheduler.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace rungs::scheduler {

AsyncBracketScheduler::AsyncBracketScheduler(std::unique_ptr<optimizers::Optimizer> optimizer,
                                             fidelity::BudgetLadder ladder, AshaMode mode,
                                             std::vector<AsyncBracketSpec> brackets, AsyncLimits limits)
    : optimizer_(std::move(optimizer)), ladder_(std::move(ladder)), mode_(mode), limits_(limits) {
  if (!optimizer_) throw std::invalid_argument("a scheduler needs an optimizer (got none)");
  if (brackets.empty()) throw std::invalid_argument("an asynchronous scheduler needs at least one bracket (got 0)");
  if (!limits_.max_trials && !limits_.max_units && !limits_.limited_outside)
    throw std::invalid_argument("an asynchronous scheduler needs max_trials or max_units (got neither): "
                                "it would start new configurations forever");
  if (limits_.max_trials && *limits_.max_trials == 0)
    throw std::invalid_argument("max_trials must be at least 1 (got 0)");
  if (limits_.max_units && !(*limits_.max_units > 0 && std::isfinite(*limits_.max_units)))
    throw std::invalid_argument(fmt::format("max_units must be positive and finite (got {})", *limits_.max_units));
  for (std::size_t b = 0; b < brackets.size(); ++b) {
    if (brackets[b].share == 0) throw std::invalid_argument(fmt::format("bracket {}: share must be at least 1 (got 0)", b));
    brackets_.emplace_back(b, brackets[b].first_level, mode_, ladder_);  // checks the level
    shares_.push_back(brackets[b].share);
  }
}

std::size_t AsyncBracketScheduler::running() const {
  std::size_t n = 0;
  for (const auto& b : brackets_) n += b.running();
  return n;
}

double AsyncBracketScheduler::units_used() const {
  if (mode_ == AshaMode::Promotion) return units_handed_out_;
  double units = 0;
  for (const TrialInfo& t : trials_.all()) {
    const std::size_t reached = t.values.empty() ? 0 : t.values.size() - 1;  // rungs recorded
    units += ladder_.at(t.first_level + reached).units;
  }
  return units;
}

bool AsyncBracketScheduler::may_start() const {
  if (limits_.max_trials && trials_.size() >= *limits_.max_trials) return false;
  if (limits_.max_units && units_used() >= *limits_.max_units) return false;
  return true;
}

std::optional<std::size_t> AsyncBracketScheduler::promoting_bracket() const {
  std::optional<std::size_t> best;
  std::size_t best_level = 0;
  for (std::size_t b = 0; b < brackets_.size(); ++b) {
    const std::optional<std::size_t> level = brackets_[b].promotion_level();
    if (level && (!best || *level > best_level)) {
      best = b;
      best_level = *level;
    }
  }
  return best;
}

std::size_t AsyncBracketScheduler::bracket_behind_share() const {
  // argmin started_b / share_b, compared as started_b * share_c < started_c * share_b.
  std::size_t best = 0;
  for (std::size_t b = 1; b < brackets_.size(); ++b)
    if (brackets_[b].started() * shares_[best] < brackets_[best].started() * shares_[b]) best = b;
  return best;
}

Job AsyncBracketScheduler::account(Job job) {
  ++runs_handed_out_;
  units_handed_out_ += job.budget.units;
  return job;
}

std::optional<Job> AsyncBracketScheduler::next() {
  if (finished_) return std::nullopt;
  if (const auto b = promoting_bracket()) return account(brackets_[*b].promote(context()));
  if (may_start()) return account(brackets_[bracket_behind_share()].start(context()));
  finish_if_done();
  return std::nullopt;
}

AshaBracket& AsyncBracketScheduler::bracket_of(TrialId trial) {
  return brackets_.at(trials_.at(trial).bracket);  // out_of_range for unknown ids
}

Decision AsyncBracketScheduler::on_report(TrialId trial, const Report& report) {
  return bracket_of(trial).on_report(trial, report, context());
}

void AsyncBracketScheduler::on_run_end(TrialId trial, const RunEnd& end) {
  bracket_of(trial).on_run_end(trial, end, context());
  finish_if_done();
}

void AsyncBracketScheduler::finish_if_done() {
  if (finished_ || may_start() || running() > 0 || promoting_bracket()) return;
  finished_ = true;
  stopped_waiting_.clear();
  for (const TrialInfo& t : trials_.all())
    if (t.state == TrialState::Waiting) stopped_waiting_.push_back(t.id);
  for (auto& b : brackets_) b.stop_waiting(context());
}

void AsyncBracketScheduler::raise_limits(AsyncLimits limits) {
  const auto shrinks = [](const auto& was, const auto& now) { return was && now && *now < *was; };
  if (shrinks(limits_.max_trials, limits.max_trials) || shrinks(limits_.max_units, limits.max_units))
    throw std::invalid_argument("raise_limits: a limit may only grow");
  limits.limited_outside = limits.limited_outside || limits_.limited_outside;
  limits_ = limits;
  if (!finished_ || !may_start()) return;
  finished_ = false;
  for (const TrialId id : stopped_waiting_) trials_.at(id).state = TrialState::Waiting;
  stopped_waiting_.clear();
}

std::vector<AshaBracketStatus> AsyncBracketScheduler::brackets() const {
  std::vector<AshaBracketStatus> out;
  for (const auto& b : brackets_) out.push_back(b.status());
  return out;
}

}  // namespace rungs::scheduler
