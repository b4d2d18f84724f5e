#include "scheduler/bracket_scheduler.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace rungs::scheduler {

BracketScheduler::BracketScheduler(std::unique_ptr<optimizers::Optimizer> optimizer,
                                   fidelity::BudgetLadder ladder, std::size_t bracket_count,
                                   BracketPlanner planner, bool overlap_brackets, PromotionRule promotion)
    : optimizer_(std::move(optimizer)),
      ladder_(std::move(ladder)),
      bracket_count_(bracket_count),
      planner_(std::move(planner)),
      overlap_brackets_(overlap_brackets),
      promotion_(std::move(promotion)) {
  if (!optimizer_) throw std::invalid_argument("a scheduler needs an optimizer (got none)");
  if (bracket_count_ == 0) throw std::invalid_argument("a scheduler needs at least one bracket (got 0)");
  if (!planner_) throw std::invalid_argument("a scheduler needs a bracket planner (got none)");
  if (!promotion_) throw std::invalid_argument("a scheduler needs a promotion rule (got none)");
}

std::optional<Job> BracketScheduler::hand_out(Bracket& bracket) {
  std::optional<Job> job = bracket.next(context());
  if (job) {
    ++runs_handed_out_;
    units_handed_out_ += job->budget.units;
  }
  return job;
}

bool BracketScheduler::open_brackets_finished() const {
  for (std::size_t b = first_unfinished_; b < brackets_.size(); ++b)
    if (!brackets_[b].finished()) return false;
  return true;
}

std::optional<Job> BracketScheduler::next() {
  while (first_unfinished_ < brackets_.size() && brackets_[first_unfinished_].finished()) ++first_unfinished_;
  for (std::size_t b = first_unfinished_; b < brackets_.size(); ++b)
    if (brackets_[b].has_job()) return hand_out(brackets_[b]);

  // Every open bracket waits (or all are finished): open the next one if allowed.
  if (brackets_.size() < bracket_count_ && (overlap_brackets_ || open_brackets_finished())) {
    const std::size_t b = brackets_.size();
    BracketPlan plan = planner_(b);
    if (plan.stages.empty() || plan.last_level() >= ladder_.levels())
      throw std::logic_error(fmt::format("bracket {}: its plan reaches level {} but the ladder has levels 0..{}",
                                         b, plan.stages.empty() ? 0 : plan.last_level(), ladder_.s_max()));
    brackets_.emplace_back(b, std::move(plan), promotion_);
    return hand_out(brackets_.back());
  }
  return std::nullopt;
}

Bracket& BracketScheduler::bracket_of(TrialId trial) {
  const TrialInfo& info = trials_.at(trial);  // out_of_range for unknown ids
  return brackets_.at(info.bracket);
}

Decision BracketScheduler::on_report(TrialId trial, const Report& /*report*/) {
  const TrialInfo& info = trials_.at(trial);
  if (info.state != TrialState::Running)
    throw std::logic_error(fmt::format("on_report: trial {} has no run out (state {})", trial,
                                       to_string(info.state)));
  return Decision::Continue;
}

void BracketScheduler::on_run_end(TrialId trial, const RunEnd& end) {
  bracket_of(trial).on_run_end(trial, end, context());
}

void BracketScheduler::extend(std::size_t count) {
  if (count < bracket_count_)
    throw std::invalid_argument(fmt::format("extend: {} brackets is fewer than the {} planned", count, bracket_count_));
  bracket_count_ = count;
}

bool BracketScheduler::finished() const {
  return brackets_.size() == bracket_count_ && open_brackets_finished();
}

TrialState BracketScheduler::state(TrialId trial) const { return trials_.at(trial).state; }

std::vector<BracketStatus> BracketScheduler::brackets() const {
  std::vector<BracketStatus> out;
  out.reserve(brackets_.size());
  for (const auto& b : brackets_) out.push_back(b.status());
  return out;
}

}  // namespace rungs::scheduler
