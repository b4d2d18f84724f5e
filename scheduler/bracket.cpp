#include "scheduler/bracket.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace rungs::scheduler {

double observed_value(const RunEnd& end) {
  if (end.failed || !std::isfinite(end.value)) return std::numeric_limits<double>::infinity();
  return end.value;
}

Bracket::Bracket(std::size_t index, BracketPlan plan, PromotionRule rule)
    : index_(index), plan_(std::move(plan)), rule_(std::move(rule)) {
  if (plan_.stages.empty()) throw std::invalid_argument(fmt::format("bracket {} has no stages", index_));
  for (const auto& stage : plan_.stages)
    if (stage.configs == 0)
      throw std::invalid_argument(fmt::format("bracket {}: a stage at level {} runs no configuration", index_,
                                              stage.level));
  if (!rule_) throw std::invalid_argument(fmt::format("bracket {}: empty promotion rule", index_));
  new_left_ = plan_.stages.front().configs;
  handed_out_.assign(plan_.stages.size(), 0);
}

bool Bracket::stage_handed_out() const { return stage_ == 0 ? new_left_ == 0 : promoted_.empty(); }

bool Bracket::has_job() const { return !finished_ && !stage_handed_out(); }

std::optional<Job> Bracket::next(const BracketContext& ctx) {
  if (!has_job()) return std::nullopt;
  const std::size_t level = plan_.stages[stage_].level;
  const fidelity::Budget& budget = ctx.ladder.at(level);

  Job job;
  job.budget = budget;
  job.bracket = index_;
  if (stage_ == 0) {
    job.config = ctx.optimizer.suggest(budget);  // may throw: nothing changed yet
    job.trial = ctx.trials.add(job.config, index_, level);
    --new_left_;
  } else {
    TrialInfo& info = ctx.trials.at(promoted_.front());
    promoted_.pop_front();
    job.trial = info.id;
    job.config = info.config;
    job.resume_from = ctx.ladder.at(info.level);  // the rung it finished
    info.level = level;
    info.state = TrialState::Running;
  }
  ++handed_out_[stage_];
  ++running_;
  return job;
}

void Bracket::on_run_end(TrialId trial, const RunEnd& end, const BracketContext& ctx) {
  TrialInfo& info = ctx.trials.at(trial);
  if (info.bracket != index_)
    throw std::logic_error(fmt::format("on_run_end: trial {} belongs to bracket {}, not {}", trial,
                                       info.bracket, index_));
  if (info.state != TrialState::Running)
    throw std::logic_error(fmt::format(
        "on_run_end: trial {} has no run out (state {}); every run ends exactly once", trial,
        to_string(info.state)));

  const bool last_stage = stage_ + 1 == plan_.stages.size();
  info.values.push_back(end.value);
  info.state = end.failed ? TrialState::Failed : last_stage ? TrialState::Completed : TrialState::Waiting;
  results_.push_back(rung_result(trial, end.value, end.failed, end.measures));
  --running_;

  // Copies: close_stage() may not touch `info`, but the optimizer is called last so that an
  // exception from it cannot leave the bracket's bookkeeping half-done.
  const space::Config config = info.config;
  const fidelity::Budget& budget = ctx.ladder.at(info.level);
  if (running_ == 0 && stage_handed_out()) close_stage(ctx);
  ctx.optimizer.observe_measured(config, budget, observed_value(end), end.measures);
}

std::vector<TrialId> Bracket::checked_promotions(std::size_t k) const {
  std::vector<TrialId> chosen = rule_(std::span<const RungResult>(results_), k);
  if (chosen.size() > k)
    throw std::logic_error(fmt::format("bracket {}: the promotion rule chose {} trials for {} places", index_,
                                       chosen.size(), k));
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const auto it = std::find_if(results_.begin(), results_.end(),
                                 [&](const RungResult& r) { return r.trial == chosen[i]; });
    if (it == results_.end() || !promotable(*it))
      throw std::logic_error(fmt::format(
          "bracket {}: the promotion rule chose trial {}, which is not a promotable result of stage {}", index_,
          chosen[i], stage_));
    if (std::find(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(i), chosen[i]) !=
        chosen.begin() + static_cast<std::ptrdiff_t>(i))
      throw std::logic_error(fmt::format("bracket {}: the promotion rule chose trial {} twice", index_, chosen[i]));
  }
  return chosen;
}

void Bracket::close_stage(const BracketContext& ctx) {
  if (stage_ + 1 == plan_.stages.size()) {
    finished_ = true;  // every trial of the last stage is Completed or Failed
    return;
  }
  const std::vector<TrialId> chosen = checked_promotions(plan_.stages[stage_ + 1].configs);
  for (const RungResult& r : results_) {
    TrialInfo& info = ctx.trials.at(r.trial);
    if (info.state == TrialState::Waiting &&
        std::find(chosen.begin(), chosen.end(), r.trial) == chosen.end())
      info.state = TrialState::Stopped;
  }
  results_.clear();
  if (chosen.empty()) {
    finished_ = true;  // nobody promotable: nothing to run at the larger budgets
    return;
  }
  ++stage_;
  promoted_.assign(chosen.begin(), chosen.end());
}

BracketStatus Bracket::status() const {
  BracketStatus s;
  s.index = index_;
  s.plan = plan_;
  s.stage = stage_;
  s.runs_handed_out = handed_out_;
  s.running = running_;
  s.finished = finished_;
  return s;
}

}  // namespace rungs::scheduler
