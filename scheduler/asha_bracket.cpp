#include "scheduler/asha_bracket.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "scheduler/milestones.hpp"

namespace rungs::scheduler {

const char* to_string(AshaMode mode) {
  switch (mode) {
    case AshaMode::Promotion: return "promotion";
    case AshaMode::Stopping: return "stopping";
  }
  return "unknown";
}

AshaBracket::AshaBracket(std::size_t index, std::size_t first_level, AshaMode mode,
                         const fidelity::BudgetLadder& ladder)
    : index_(index), first_level_(first_level), mode_(mode), eta_(ladder.eta()) {
  if (first_level > ladder.s_max())
    throw std::invalid_argument(fmt::format("ASHA bracket {}: first level {} is beyond the top level {}", index,
                                            first_level, ladder.s_max()));
  const std::vector<double> milestones = rung_milestones(ladder);
  for (std::size_t level = first_level; level <= ladder.s_max(); ++level) {
    Rung rung;
    rung.level = level;
    rung.milestone = milestones[level];
    rungs_.push_back(std::move(rung));
  }
}

// floor(n / eta), with the schedule's slack so that 6 / 1.5 is 4 and not 3.
std::size_t AshaBracket::places(std::size_t n) const {
  return static_cast<std::size_t>(std::floor(static_cast<double>(n) / eta_ * (1 + 1e-9)));
}

std::optional<TrialId> AshaBracket::candidate(const Rung& rung) const {
  return rung.ranked.best_unpromoted(places(rung.results.size()));
}

void AshaBracket::add_result(Rung& rung, const RungResult& result) {
  rung.ranked.add(result);  // throws on a trial recorded twice, before anything changed
  rung.results.push_back(result);
}

std::optional<std::size_t> AshaBracket::promotion_level() const {
  if (mode_ != AshaMode::Promotion) return std::nullopt;
  for (std::size_t k = rungs_.size() - 1; k-- > 0;)  // K-2 .. 0: the top rung promotes nowhere
    if (candidate(rungs_[k])) return rungs_[k].level;
  return std::nullopt;
}

Job AshaBracket::promote(const BracketContext& ctx) {
  const std::optional<std::size_t> level = promotion_level();
  if (!level) throw std::logic_error(fmt::format("ASHA bracket {}: nothing to promote", index_));
  Rung& rung = rungs_[*level - first_level_];
  const TrialId id = *candidate(rung);
  TrialInfo& info = ctx.trials.at(id);
  if (info.state != TrialState::Waiting || info.level != rung.level)
    throw std::logic_error(fmt::format("ASHA bracket {}: candidate trial {} is {} at level {}, not waiting at {}",
                                       index_, id, to_string(info.state), info.level, rung.level));
  Job job;
  job.trial = id;
  job.config = info.config;
  job.resume_from = ctx.ladder.at(rung.level);
  job.budget = ctx.ladder.at(rung.level + 1);
  job.bracket = index_;
  rung.promoted.insert(id);
  rung.ranked.promote(id);
  info.level = rung.level + 1;
  info.state = TrialState::Running;
  running_.emplace(id, Progress{});
  return job;
}

Job AshaBracket::start(const BracketContext& ctx) {
  const std::size_t run_level = mode_ == AshaMode::Promotion ? first_level_ : rungs_.back().level;
  Job job;
  job.budget = ctx.ladder.at(run_level);
  job.bracket = index_;
  job.config = ctx.optimizer.suggest(job.budget);  // may throw: nothing changed yet
  job.trial = ctx.trials.add(job.config, index_, first_level_);
  ctx.trials.at(job.trial).level = run_level;  // stopping mode: first_level stays rung 0's level
  running_.emplace(job.trial, Progress{});
  ++started_;
  return job;
}

AshaBracket::Progress& AshaBracket::running_run(TrialId trial, const BracketContext& ctx, const char* call) {
  const TrialInfo& info = ctx.trials.at(trial);  // std::out_of_range for unknown ids
  const auto it = running_.find(trial);
  if (info.bracket != index_ || it == running_.end())
    throw std::logic_error(fmt::format("{}: trial {} has no run out in ASHA bracket {} (state {})", call, trial,
                                       index_, to_string(info.state)));
  return it->second;
}

Decision AshaBracket::on_report(TrialId trial, const Report& report, const BracketContext& ctx) {
  Progress& progress = running_run(trial, ctx, "on_report");
  if (mode_ != AshaMode::Stopping) return Decision::Continue;
  if (progress.stop_requested) return Decision::Stop;  // reports racing the termination
  return record_milestones(trial, report, progress, ctx);
}

Decision AshaBracket::record_milestones(TrialId trial, const Report& report, Progress& progress,
                                        const BracketContext& ctx) {
  TrialInfo& info = ctx.trials.at(trial);
  Decision decision = Decision::Continue;
  std::vector<std::size_t> observed_levels;
  // Every rung below the top whose milestone this step reached (relative slack for 27 vs 26.999...).
  while (progress.recorded + 1 < rungs_.size() &&
         report.step >= rungs_[progress.recorded].milestone * (1 - 1e-9)) {
    Rung& rung = rungs_[progress.recorded];
    add_result(rung, rung_result(trial, report.value, false, report.measures));
    info.values.push_back(report.value);
    observed_levels.push_back(rung.level);
    ++progress.recorded;
    const std::size_t k = places(rung.results.size());
    if (k == 0) continue;  // fewer than eta results: too few to judge
    if (!rung.ranked.in_top(trial, k)) {
      decision = Decision::Stop;
      progress.stop_requested = true;
      break;
    }
  }
  const double observed = observed_value(RunEnd{report.value, false});
  for (std::size_t level : observed_levels)
    ctx.optimizer.observe_measured(info.config, ctx.ladder.at(level), observed, report.measures);
  return decision;
}

void AshaBracket::on_run_end(TrialId trial, const RunEnd& end, const BracketContext& ctx) {
  const Progress progress = running_run(trial, ctx, "on_run_end");
  running_.erase(trial);
  TrialInfo& info = ctx.trials.at(trial);
  const space::Config config = info.config;  // the optimizer is called last (see bracket.cpp)

  if (mode_ == AshaMode::Promotion) {
    Rung& rung = rungs_[info.level - first_level_];
    add_result(rung, rung_result(trial, end.value, end.failed, end.measures));
    info.values.push_back(end.value);
    const bool top = info.level == rungs_.back().level;
    info.state = end.failed ? TrialState::Failed : top ? TrialState::Completed : TrialState::Waiting;
    ctx.optimizer.observe_measured(config, ctx.ladder.at(rung.level), observed_value(end), end.measures);
    return;
  }

  if (progress.stop_requested) {
    info.state = TrialState::Stopped;  // its RunEnd value is partial: recorded nowhere
  } else if (end.failed) {
    info.state = TrialState::Failed;
    const std::size_t missed = std::min(progress.recorded, rungs_.size() - 1);
    ctx.optimizer.observe(config, ctx.ladder.at(rungs_[missed].level), std::numeric_limits<double>::infinity());
  } else {
    info.state = TrialState::Completed;
    // Rungs whose milestone no report reached stay empty for this trial (NaN in values).
    info.values.resize(rungs_.size() - 1, std::numeric_limits<double>::quiet_NaN());
    info.values.push_back(end.value);
    add_result(rungs_.back(), rung_result(trial, end.value, false, end.measures));
    ctx.optimizer.observe_measured(config, ctx.ladder.at(rungs_.back().level), observed_value(end), end.measures);
  }
}

void AshaBracket::stop_waiting(const BracketContext& ctx) {
  for (const Rung& rung : rungs_)
    for (const RungResult& r : rung.results)
      if (TrialInfo& info = ctx.trials.at(r.trial); info.state == TrialState::Waiting) info.state = TrialState::Stopped;
}

AshaBracketStatus AshaBracket::status() const {
  AshaBracketStatus s;
  s.index = index_;
  s.first_level = first_level_;
  s.started = started_;
  s.running = running_.size();
  for (const Rung& rung : rungs_) s.rungs.push_back({rung.level, rung.milestone, rung.results.size(), rung.promoted.size()});
  return s;
}

}  // namespace rungs::scheduler
