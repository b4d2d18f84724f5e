#include "scheduler/pbt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "fidelity/run_cost.hpp"
#include "space/sampling.hpp"

namespace rungs::scheduler {

namespace {

std::size_t interval_levels(const fidelity::BudgetLadder& ladder, double interval) {
  if (!ladder.step())
    throw std::invalid_argument("pbt needs linear budget levels (budget.step, e.g. step: 1): runs advance an interval at a time");
  const double step = *ladder.step();
  const double k = interval == 0 ? 1.0 : interval / step;
  if (!(k >= 1 - 1e-9) || std::abs(k - std::round(k)) > 1e-6)
    throw std::invalid_argument(
        fmt::format("pbt: interval must be a whole multiple of budget.step ({}), got {}", step, interval));
  return static_cast<std::size_t>(std::lround(k));
}

}  // namespace

Pbt::Pbt(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder, space::SearchSpace space,
         PbtOptions options, std::uint64_t seed, std::unique_ptr<optimizers::IntervalBandit> bandit)
    : optimizer_(std::move(optimizer)), ladder_(std::move(ladder)), space_(std::move(space)), options_(options),
      explore_{options.perturb_low, options.perturb_high, options.resample_probability},
      bandit_(options.explore == PbtExplore::pb2 ? std::move(bandit) : nullptr),
      per_interval_(interval_levels(ladder_, options.interval)), rng_(seed ^ 0x5bd1e9955bd1e995ULL) {
  if (!optimizer_) throw std::invalid_argument("a scheduler needs an optimizer (got none)");
  if (options_.population < 2)
    throw std::invalid_argument(fmt::format("pbt: population must be at least 2 (got {})", options_.population));
  if (!(options_.quantile > 0 && options_.quantile <= 0.5))
    throw std::invalid_argument(fmt::format("pbt: quantile must be in (0, 0.5] (got {})", options_.quantile));
  check_explore_options(explore_);
  if (options_.explore == PbtExplore::pb2 && !bandit_)
    throw std::invalid_argument("pbt: explore pb2 needs a bandit (optimizers/interval_bandit.hpp), got none");
  if (options_.max_trials && *options_.max_trials == 0) throw std::invalid_argument("max_trials must be at least 1 (got 0)");
  if (options_.max_cost && !(*options_.max_cost > 0 && std::isfinite(*options_.max_cost)))
    throw std::invalid_argument(fmt::format("max_budget must be positive and finite (got {})", *options_.max_cost));
}

// The only stop condition: every launch goes through here (the campaign's limits wire in here).
bool Pbt::within_limits(bool new_trial) const {
  if (options_.max_cost && cost_charged_ >= *options_.max_cost) return false;
  if (new_trial && options_.max_trials && trials_.size() >= *options_.max_trials) return false;
  return true;
}

std::size_t Pbt::first_level() const { return std::min(per_interval_ - 1, ladder_.s_max()); }
std::size_t Pbt::next_level(std::size_t level) const { return std::min(level + per_interval_, ladder_.s_max()); }
bool Pbt::can_continue(const Member& m) const { return !m.failed && m.has_result && m.level < ladder_.s_max(); }

void Pbt::raise_limits(std::optional<std::size_t> max_trials, std::optional<double> max_cost, bool limited_outside) {
  options_.max_trials = max_trials;
  options_.max_cost = max_cost;
  options_.limited_outside = limited_outside;
  if (!finished_) return;
  finished_ = false;
  // finish_if_done is the only place a member's current trial becomes Stopped: it was paused.
  for (const Member& m : members_)
    if (trials_.at(m.trial).state == TrialState::Stopped) trials_.at(m.trial).state = TrialState::Waiting;
}

Job Pbt::hand_out(Job job) {
  cost_charged_ += fidelity::run_cost(ladder_, job.budget, job.resume_from);
  members_.at(job.bracket).running = true;
  job.keep_checkpoint = true;
  return job;
}

Job Pbt::start_member() {
  Job job;
  job.bracket = members_.size();
  job.budget = ladder_.at(first_level());
  job.config = optimizer_->suggest(job.budget);
  job.trial = trials_.add(job.config, job.bracket, first_level());
  members_.push_back(Member{job.trial});
  return hand_out(std::move(job));
}

std::vector<std::size_t> Pbt::ranked_members() const {
  std::vector<std::size_t> ranked;
  for (std::size_t m = 0; m < members_.size(); ++m)
    if (members_[m].has_result && !members_[m].failed) ranked.push_back(m);
  std::stable_sort(ranked.begin(), ranked.end(),
                   [this](std::size_t a, std::size_t b) { return members_[a].value < members_[b].value; });
  return ranked;
}

// Exploit (Jaderberg et al. 2017, "truncation selection"): a member in the bottom quantile of
// `ranked` takes a top member's weights. Returns the donor member, or nullopt to go on alone.
// A member whose run failed (Member::failed while it waits in ready_ / waiting_) is not ranked:
// it counts as the worst and takes a top member's weights, or drops out when there is none.
std::optional<std::size_t> Pbt::donor_for(std::size_t member, const std::vector<std::size_t>& ranked) {
  if (!within_limits(true)) return std::nullopt;  // an exploit is a new trial
  const bool lost = members_[member].failed;
  const std::size_t n = ranked.size();
  std::size_t k = static_cast<std::size_t>(std::ceil(static_cast<double>(n) * options_.quantile - 1e-12));
  k = std::min(k, n / 2);
  if (lost && n > 0) k = std::max<std::size_t>(k, 1);
  if (k == 0) return std::nullopt;
  const auto at = std::find(ranked.begin(), ranked.end(), member);
  if (!lost && (at == ranked.end() || at < ranked.end() - static_cast<std::ptrdiff_t>(k))) return std::nullopt;
  std::vector<std::size_t> donors;
  for (std::size_t i = 0; i < k; ++i)
    if (can_continue(members_[ranked[i]])) donors.push_back(ranked[i]);
  if (donors.empty()) return std::nullopt;
  return donors[static_cast<std::size_t>(space::uniform_int(rng_, 0, static_cast<std::int64_t>(donors.size()) - 1))];
}

void Pbt::start_generation() {
  const auto ranked = ranked_members();
  std::sort(waiting_.begin(), waiting_.end());
  std::vector<std::size_t> others;
  for (const std::size_t m : waiting_) {
    if (const auto donor = donor_for(m, ranked)) {
      planned_[m] = *donor;
      ready_.push_back(m);
    } else if (!members_[m].failed) {
      others.push_back(m);
    }  // a failed member without a donor drops out
  }
  ready_.insert(ready_.end(), others.begin(), others.end());
  waiting_.clear();
}

Job Pbt::continue_member(std::size_t member) {
  std::optional<std::size_t> donor;
  if (const auto planned = planned_.find(member); planned != planned_.end()) {
    donor = planned->second;  // synchronous: decided with the generation
    planned_.erase(planned);
  } else if (!options_.synchronous) {
    donor = donor_for(member, ranked_members());
  }
  Member& m = members_[member];
  Job job;
  job.bracket = member;
  if (donor && within_limits(true)) {
    const Member& d = members_[*donor];
    const TrialId replaced = m.trial;
    if (trials_.at(replaced).state != TrialState::Failed) trials_.at(replaced).state = TrialState::Stopped;
    const std::size_t level = next_level(d.level);
    job.config = explore_from(trials_.at(d.trial).config, member, level);
    job.resume_from = ladder_.at(d.level);
    job.budget = ladder_.at(level);
    job.trial = trials_.add(job.config, member, level);
    job.inherits = Inheritance{d.trial, replaced, member};
    exploits_.push_back({member, d.trial, replaced, job.trial, d.level, trials_.at(replaced).config, job.config});
    m.trial = job.trial;
    m.failed = false;  // a member whose run failed goes on with the donor's weights
    m.run_from = std::pair{d.level, d.value};
    return hand_out(std::move(job));
  }
  TrialInfo& info = trials_.at(m.trial);
  job.trial = m.trial;
  job.config = info.config;
  job.resume_from = ladder_.at(m.level);
  info.level = next_level(m.level);
  job.budget = ladder_.at(info.level);
  info.state = TrialState::Running;
  m.run_from = std::pair{m.level, m.value};
  return hand_out(std::move(job));
}

// PBT's explore step, then (explore pb2) the bandit's choice of the numeric values for the run
// that ends at `level`, given every interval so far and the runs still out.
space::Config Pbt::explore_from(const space::Config& donor, std::size_t member, std::size_t level) {
  space::Config config = explore(space_, donor, explore_, rng_);
  if (!bandit_) return config;
  std::vector<space::Config> pending;
  for (std::size_t i = 0; i < members_.size(); ++i)
    if (i != member && members_[i].running) pending.push_back(trials_.at(members_[i].trial).config);
  const double time = static_cast<double>(level + 1) / static_cast<double>(per_interval_);
  return bandit_->select(config, time, intervals_, pending, rng_);
}

void Pbt::record_interval(const TrialInfo& info, Member& m, double value) {
  const auto from = std::exchange(m.run_from, std::nullopt);
  if (!bandit_ || !from || info.level <= from->first) return;
  const double units = static_cast<double>(info.level - from->first) * *ladder_.step();
  intervals_.push_back({static_cast<double>(info.level + 1) / static_cast<double>(per_interval_), info.config,
                        (from->second - value) / units});
}

std::optional<Job> Pbt::next() {
  if (finished_) return std::nullopt;
  if (members_.size() < options_.population && within_limits(true)) return start_member();
  const bool any_running = std::any_of(members_.begin(), members_.end(), [](const Member& m) { return m.running; });
  if (options_.synchronous && ready_.empty() && !any_running && !waiting_.empty()) start_generation();
  while (!ready_.empty() && within_limits(false)) {
    const std::size_t member = ready_.front();
    ready_.pop_front();
    if (members_[member].failed && !planned_.count(member)) {
      // Its run failed: it needs a donor now (asynchronous), or drops out.
      const auto donor = options_.synchronous ? std::nullopt : donor_for(member, ranked_members());
      if (!donor) continue;
      planned_[member] = *donor;
    }
    return continue_member(member);
  }
  finish_if_done();
  return std::nullopt;
}

Decision Pbt::on_report(TrialId trial, const Report&) {
  const TrialInfo& info = trials_.at(trial);  // out_of_range for unknown ids
  if (info.state != TrialState::Running || members_.at(info.bracket).trial != trial)
    throw std::logic_error(fmt::format("on_report: trial {} has no run out (state {})", trial, to_string(info.state)));
  return Decision::Continue;
}

void Pbt::on_run_end(TrialId trial, const RunEnd& end) {
  TrialInfo& info = trials_.at(trial);
  Member& m = members_.at(info.bracket);
  if (info.state != TrialState::Running || m.trial != trial || !m.running)
    throw std::logic_error(fmt::format("on_run_end: trial {} has no run out (state {})", trial, to_string(info.state)));
  m.running = false;
  info.values.push_back(end.value);  // one per run (a run may span several levels)
  const bool good = !end.failed && std::isfinite(end.value);
  optimizer_->observe(info.config, ladder_.at(info.level), good ? end.value : std::numeric_limits<double>::infinity());
  if (!good) {
    m.run_from.reset();
    // The trial is Failed; the member takes a top member's weights at its next turn (or drops out).
    m.failed = true;
    info.state = TrialState::Failed;
    (options_.synchronous ? waiting_.push_back(info.bracket) : ready_.push_back(info.bracket));
  } else {
    record_interval(info, m, end.value);
    m.level = info.level;
    m.value = end.value;
    m.has_result = true;
    if (info.level == ladder_.s_max()) {
      info.state = TrialState::Completed;
    } else {
      info.state = TrialState::Waiting;
      (options_.synchronous ? waiting_.push_back(info.bracket) : ready_.push_back(info.bracket));
    }
  }
  finish_if_done();
}

void Pbt::finish_if_done() {
  if (finished_) return;
  if (std::any_of(members_.begin(), members_.end(), [](const Member& m) { return m.running; })) return;
  const bool more = (!ready_.empty() || !waiting_.empty()) && within_limits(false);
  if (more || (members_.size() < options_.population && within_limits(true))) return;
  finished_ = true;
  for (const Member& m : members_)
    if (trials_.at(m.trial).state == TrialState::Waiting) trials_.at(m.trial).state = TrialState::Stopped;
}

}  // namespace rungs::scheduler
