#include "scheduler/freeze_thaw.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <numeric>
#include <stdexcept>

#include "fidelity/run_cost.hpp"

namespace rungs::scheduler {

namespace {

std::size_t checked_inputs(const space::SearchSpace& space) {
  if (space.dimension() == 0) throw std::invalid_argument("freeze_thaw needs a search space with parameters (got none)");
  return space.dimension();
}

// EI for minimization (Jones, Schonlau & Welch 1998), as DPL uses it at the full budget.
double expected_improvement(double mean, double std, double best) {
  const double gain = best - mean;
  if (!(std > 1e-12)) return std::max(gain, 0.0);
  const double z = gain / std;
  const double pdf = std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
  const double cdf = 0.5 * std::erfc(-z / std::sqrt(2.0));
  return gain * cdf + std * pdf;
}

}  // namespace

FreezeThaw::FreezeThaw(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
                       space::SearchSpace space, FreezeThawOptions options, std::uint64_t seed)
    : optimizer_(std::move(optimizer)), ladder_(std::move(ladder)), space_(std::move(space)), options_(options),
      rng_(seed ^ 0x9e3779b97f4a7c15ULL),
      model_(checked_inputs(space_), ladder_.at(0).units, options.model, seed) {
  if (!optimizer_) throw std::invalid_argument("a scheduler needs an optimizer (got none)");
  if (!options_.max_trials && !options_.max_cost && !options_.limited_outside)
    throw std::invalid_argument("freeze_thaw needs max_trials or max_budget (got neither): "
                                "it would start new configurations forever");
  if (options_.max_trials && *options_.max_trials == 0) throw std::invalid_argument("max_trials must be at least 1 (got 0)");
  if (options_.max_cost && !(*options_.max_cost > 0 && std::isfinite(*options_.max_cost)))
    throw std::invalid_argument(fmt::format("max_budget must be positive and finite (got {})", *options_.max_cost));
  if (options_.initial == 0) throw std::invalid_argument("freeze_thaw: initial must be at least 1 (got 0)");
  if (options_.leap == 0) throw std::invalid_argument("freeze_thaw: leap must be at least 1 (got 0)");
}

namespace {

// An encoded point (NaN where inactive) as the model's inputs: -1 where inactive.
Eigen::VectorXf inputs(const Eigen::VectorXd& encoded) {
  Eigen::VectorXf x(encoded.size());
  for (Eigen::Index i = 0; i < encoded.size(); ++i) x(i) = std::isnan(encoded(i)) ? -1.0f : static_cast<float>(encoded(i));
  return x;
}

}  // namespace

Eigen::VectorXf FreezeThaw::features(const space::Config& config) const { return inputs(space_.encode(config)); }

// The only stop condition: every launch goes through here (the campaign's limits wire in here).
bool FreezeThaw::within_limits(bool new_trial) const {
  if (options_.max_cost && cost_charged_ >= *options_.max_cost) return false;
  if (new_trial && options_.max_trials && trials_.size() >= *options_.max_trials) return false;
  return true;
}

void FreezeThaw::raise_limits(std::optional<std::size_t> max_trials, std::optional<double> max_cost,
                              bool limited_outside) {
  options_.max_trials = max_trials;
  options_.max_cost = max_cost;
  options_.limited_outside = limited_outside;
  if (!finished_) return;
  finished_ = false;
  // finish_if_done is the only place trials become Stopped here: they were paused.
  for (const TrialInfo& t : trials_.all())
    if (t.state == TrialState::Stopped) trials_.at(t.id).state = TrialState::Waiting;
}

bool FreezeThaw::has_paused() const {
  for (const TrialInfo& t : trials_.all())
    if (t.state == TrialState::Waiting) return true;
  return false;
}

Job FreezeThaw::hand_out(Job job) {
  cost_charged_ += fidelity::run_cost(ladder_, job.budget, job.resume_from);
  running_.insert(job.trial);
  return job;
}

space::Config FreezeThaw::take_proposal() {
  space::Config config = proposal_ ? std::move(*proposal_) : optimizer_->suggest(ladder_.at(0));
  proposal_.reset();
  return config;
}

Job FreezeThaw::start(space::Config config) {
  Job job;
  job.budget = ladder_.at(0);
  job.config = config;
  trial_features_.push_back(features(config));
  job.trial = trials_.add(std::move(config), 0, 0);
  return hand_out(std::move(job));
}

Job FreezeThaw::resume(TrialId trial, std::size_t levels) {
  TrialInfo& info = trials_.at(trial);
  if (info.state != TrialState::Waiting || running_.count(trial))
    throw std::logic_error(fmt::format("freeze_thaw: trial {} is {}, not paused", trial, to_string(info.state)));
  Job job;
  job.trial = trial;
  job.config = info.config;
  job.resume_from = ladder_.at(info.level);
  info.level = std::min(info.level + levels, ladder_.s_max());
  job.budget = ladder_.at(info.level);
  info.state = TrialState::Running;
  return hand_out(std::move(job));
}

std::optional<Job> FreezeThaw::next() {
  if (finished_) return std::nullopt;
  if (within_limits(false)) {
    if (may_start() && trials_.size() < options_.initial) return start(take_proposal());  // the initial design
    if (auto job = decide()) return job;
  }
  finish_if_done();
  return std::nullopt;
}

void FreezeThaw::train_if_due() {
  const std::size_t held = model_.points(), added = held - trained_points_;
  const auto due = std::max<std::size_t>(1, static_cast<std::size_t>(options_.retrain_fraction * static_cast<double>(held)));
  if (model_.trained() && added < due) return;
  model_.train(options_.train_steps);
  trained_points_ = held;
  ++model_version_;
}

// The new configurations this decision scores first: `candidates` uniform samples.
void FreezeThaw::refill_pool() {
  pool_.clear();
  pool_.reserve(options_.candidates + options_.local);  // add_neighbours reads pool_ as it appends
  Eigen::MatrixXf x(static_cast<Eigen::Index>(space_.dimension()), static_cast<Eigen::Index>(options_.candidates));
  for (std::size_t i = 0; i < options_.candidates; ++i) {
    // Encoded as drawn, a Config made only for the one started: encode()'s validation and the
    // candidates' Configs were a sixth and about a tenth of rungs' CPU.
    auto sampled = space_.sample_encoded(rng_);
    x.col(static_cast<Eigen::Index>(i)) = inputs(sampled.encoded);
    pool_.push_back(std::move(sampled));
  }
  pool_curves_ = pool_.empty() ? std::vector<MemberCurves>{} : model_.curves(x);
}

// The acquisition searched further than uniform samples reach (SMAC's local search on its
// acquisition, Hutter, Hoos & Leyton-Brown 2011, in one step): `local` neighbours of the 10
// pool candidates that score best, each numeric parameter moved by N(0, 0.1^2) on its [0,1]
// encoding (SearchSpace::sample_near), appended to the pool with their curves. 200 uniform
// + 100 neighbours against 300 uniform (the same forward-pass cost), LCBench, 28 tasks x 5 seeds,
// 1 worker: regret at 25 / 50 / 100 x 52 epochs lower by about a quarter to two fifths
// (docs/benchmarks.md). Neighbours of trials instead (one-parameter changes of the trials
// predicted best) made the search greedy and worse.
void FreezeThaw::add_neighbours(const std::vector<double>& pool_scores) {
  constexpr std::size_t kCenters = 10;
  std::vector<std::size_t> order(pool_scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t centers = std::min(kCenters, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(centers), order.end(),
                    [&](std::size_t a, std::size_t b) { return pool_scores[a] > pool_scores[b]; });
  Eigen::MatrixXf x(static_cast<Eigen::Index>(space_.dimension()), static_cast<Eigen::Index>(options_.local));
  for (std::size_t j = 0; j < options_.local; ++j) {
    auto near = space_.sample_near(pool_[order[j % centers]], 0.1, rng_);
    x.col(static_cast<Eigen::Index>(j)) = inputs(near.encoded);
    pool_.push_back(std::move(near));
  }
  auto curves = model_.curves(x);
  pool_curves_.insert(pool_curves_.end(), std::make_move_iterator(curves.begin()), std::make_move_iterator(curves.end()));
}

// The curves of these trials under the current model, the stale ones computed in one batch.
void FreezeThaw::refresh_curves(const std::vector<TrialId>& trials) {
  if (curves_.size() < trials_.size()) {
    curves_.resize(trials_.size());
    curves_version_.resize(trials_.size(), 0);
  }
  std::vector<TrialId> stale;
  for (TrialId id : trials)
    if (curves_version_[id - 1] != model_version_) stale.push_back(id);
  if (stale.empty()) return;
  Eigen::MatrixXf x(static_cast<Eigen::Index>(space_.dimension()), static_cast<Eigen::Index>(stale.size()));
  for (std::size_t i = 0; i < stale.size(); ++i) x.col(static_cast<Eigen::Index>(i)) = trial_features_[stale[i] - 1];
  auto fresh = model_.curves(x);
  for (std::size_t i = 0; i < stale.size(); ++i) {
    curves_[stale[i] - 1] = std::move(fresh[i]);
    curves_version_[stale[i] - 1] = model_version_;
  }
}

// mu and sigma at b_max from the members' curves (power_law_ensemble.hpp).
CurvePrediction FreezeThaw::predict(const MemberCurves& c) const {
  const float top = model_.log_budget(ladder_.max_units());
  const auto m = static_cast<Eigen::Index>(model_.members());
  // Inline storage, as MemberCurves: this runs for every candidate.
  Eigen::Matrix<double, Eigen::Dynamic, 1, 0, static_cast<int>(kMaxMembers), 1> y(m);
  for (Eigen::Index k = 0; k < m; ++k) y(k) = c.at(k, top);
  const double mean = y.mean();
  return {mean, std::sqrt((y.array() - mean).square().mean())};
}

// A paused trial's prediction at b_max anchored at its newest value y_b (see freeze_thaw.hpp):
//     mu = mu(b_max) + (y_b - mu(b)),   sigma = sigma(b_max) unchanged.
CurvePrediction FreezeThaw::predict_paused(TrialId trial) const {
  const MemberCurves& c = curves_[trial - 1];
  const TrialInfo& info = trials_.at(trial);
  const float here = model_.log_budget(ladder_.at(info.level).units);
  double mean_here = 0;
  for (Eigen::Index k = 0; k < static_cast<Eigen::Index>(model_.members()); ++k) mean_here += c.at(k, here);
  mean_here /= static_cast<double>(model_.members());
  CurvePrediction p = predict(c);
  p.mean += info.values.back() - mean_here;  // paused: its newest run ended well, at its level
  return p;
}

// EI at b_max, per unit of budget still to train when per_cost (freeze_thaw.hpp); `done`: the
// units the candidate has trained (0 for a new configuration).
double FreezeThaw::acquisition(const CurvePrediction& p, double done, double best) const {
  const double ei = expected_improvement(p.mean, p.std, best);
  return options_.per_cost ? ei / (ladder_.max_units() - done) : ei;
}

// The race to a first incumbent at b_max: once race_after x b_max has been charged with no
// trial at the top, the trial predicted best (lowest mu at b_max among paused and running ones)
// goes on while it is paused; with several workers the others decide as usual. Without it,
// EI per cost may spend 5 x b_max with no trial at the top (9 of 28 LCBench tasks), where a
// Hyperband bracket has one after about 2 x b_max. Returns its index in `paused`, if it races.
std::optional<std::size_t> FreezeThaw::race_pick(const std::vector<TrialId>& paused,
                                                 const std::vector<CurvePrediction>& predictions) {
  if (options_.race_after < 0 || paused.empty() || count(TrialState::Completed) > 0 ||
      cost_charged_ < options_.race_after * ladder_.max_units())
    return std::nullopt;
  std::size_t best = 0;
  for (std::size_t i = 1; i < paused.size(); ++i)
    if (predictions[i].mean < predictions[best].mean) best = i;
  std::vector<TrialId> out(running_.begin(), running_.end());
  refresh_curves(out);
  for (TrialId id : out)
    if (predict(curves_[id - 1]).mean < predictions[best].mean) return std::nullopt;
  return best;
}

std::optional<Job> FreezeThaw::decide() {
  const bool new_allowed = may_start();
  std::vector<TrialId> paused;
  for (const TrialInfo& t : trials_.all())
    if (t.state == TrialState::Waiting) paused.push_back(t.id);
  if (paused.empty() && !new_allowed) return std::nullopt;
  // Every first run still out (more workers than the initial design): the optimizer goes on.
  if (model_.points() == 0) return new_allowed ? std::optional<Job>(start(take_proposal())) : std::nullopt;
  train_if_due();

  refresh_curves(paused);

  std::vector<CurvePrediction> predictions;
  std::optional<std::size_t> leader;
  for (std::size_t i = 0; i < paused.size(); ++i) {
    predictions.push_back(predict_paused(paused[i]));
    if (!leader || predictions[i].mean < predictions[*leader].mean) leader = i;
  }
  std::optional<MemberCurves> proposal_curves;
  if (new_allowed) {
    if (!proposal_) proposal_ = optimizer_->suggest(ladder_.at(0));  // may throw: nothing handed out yet
    proposal_curves = model_.curves(features(*proposal_)).front();
    predictions.push_back(predict(*proposal_curves));
    refill_pool();
    for (const auto& c : pool_curves_) predictions.push_back(predict(c));
  }

  const double best = incumbent_.value_or(*worst_);  // no feasible run yet: improve on anything
  std::vector<double> scores(predictions.size());
  for (std::size_t i = 0; i < predictions.size(); ++i)
    scores[i] = acquisition(predictions[i], i < paused.size() ? ladder_.at(trials_.at(paused[i]).level).units : 0.0, best);
  if (new_allowed && options_.local > 0 && !pool_.empty()) {
    const std::size_t before = pool_curves_.size();
    add_neighbours(std::vector<double>(scores.end() - static_cast<std::ptrdiff_t>(before), scores.end()));
    for (std::size_t i = before; i < pool_curves_.size(); ++i) {
      predictions.push_back(predict(pool_curves_[i]));
      scores.push_back(acquisition(predictions.back(), 0.0, best));
    }
  }
  const auto race = race_pick(paused, predictions);
  const std::size_t chosen = race ? *race : static_cast<std::size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());  // ties: the first
  const double chosen_ei = scores[chosen];
  FreezeThawChoice choice;
  choice.mean = predictions[chosen].mean;
  choice.std = predictions[chosen].std;
  choice.ei = chosen_ei;
  choice.incumbent = best;
  choice.scored = predictions.size();
  if (chosen < paused.size()) {
    choice.resumed = paused[chosen];
    last_choice_ = choice;
    // The racer runs to the top in one go while other runs are out: a step at a time it would
    // wait behind theirs, and their epochs, not the race's, would fill the budget.
    const std::size_t levels = race && !running_.empty() ? ladder_.s_max() : chosen == leader ? options_.leap : 1;
    return resume(paused[chosen], levels);
  }
  last_choice_ = choice;
  const std::size_t index = chosen - paused.size();
  if (index == 0) {  // the optimizer's proposal is used: ask a new one next time
    space::Config config = std::move(*proposal_);
    proposal_.reset();
    return start_scored(std::move(config), std::move(*proposal_curves));
  }
  space::Config config = space_.config(pool_[index - 1]);
  MemberCurves curves = std::move(pool_curves_[index - 1]);
  pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(index - 1));
  pool_curves_.erase(pool_curves_.begin() + static_cast<std::ptrdiff_t>(index - 1));
  return start_scored(std::move(config), std::move(curves));
}

// A new trial whose curves the current model has just computed.
Job FreezeThaw::start_scored(space::Config config, MemberCurves curves) {
  Job job = start(std::move(config));
  curves_.resize(trials_.size());
  curves_version_.resize(trials_.size(), 0);
  curves_.back() = std::move(curves);
  curves_version_.back() = model_version_;
  return job;
}

Decision FreezeThaw::on_report(TrialId trial, const Report&) {
  const TrialInfo& info = trials_.at(trial);  // out_of_range for unknown ids
  if (!running_.count(trial))
    throw std::logic_error(fmt::format("on_report: trial {} has no run out (state {})", trial, to_string(info.state)));
  return Decision::Continue;
}

void FreezeThaw::on_run_end(TrialId trial, const RunEnd& end) {
  TrialInfo& info = trials_.at(trial);
  if (!running_.erase(trial))
    throw std::logic_error(fmt::format("on_run_end: trial {} has no run out (state {})", trial, to_string(info.state)));
  info.values.push_back(end.value);
  const fidelity::Budget& budget = ladder_.at(info.level);
  const bool good = !end.failed && std::isfinite(end.value);
  if (good) {
    if (end.measures.feasible()) incumbent_ = incumbent_ ? std::min(*incumbent_, end.value) : end.value;  // constraints
    worst_ = worst_ ? std::max(*worst_, end.value) : end.value;
    model_.add(trial_features_[trial - 1], budget.units, end.value);
  } else if (worst_) {
    model_.add(trial_features_[trial - 1], budget.units, *worst_);
  }
  info.state = !good ? TrialState::Failed : info.level == ladder_.s_max() ? TrialState::Completed : TrialState::Waiting;
  optimizer_->observe_measured(info.config, budget, good ? end.value : std::numeric_limits<double>::infinity(), end.measures);
  finish_if_done();
}

void FreezeThaw::finish_if_done() {
  if (finished_ || !running_.empty()) return;
  if (within_limits(false) && (may_start() || has_paused())) return;
  finished_ = true;
  for (const TrialInfo& t : trials_.all())
    if (t.state == TrialState::Waiting) trials_.at(t.id).state = TrialState::Stopped;
}

}  // namespace rungs::scheduler
