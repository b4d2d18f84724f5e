#pragma once
// Freeze-thaw scheduling with deep power laws (Kadra, Janowski, Wistuba, Grabocka, "Scaling
// Laws for Hyperparameter Optimization", NeurIPS 2023; the freeze-thaw idea is Swersky, Snoek
// & Adams, "Freeze-Thaw Bayesian Optimization", 2014). Runs advance one budget level at a time
// (the leader `leap` levels, below): a run ends at its level with a checkpoint, the trial pauses (Waiting), and a later run
// continues it from there (Job::resume_from, RUNGS_RESUME=1, exactly as an ASHA promotion).
// Every time a worker is free, the learning-curve model (power_law_ensemble.hpp) decides what
// runs next: one step more of a paused trial, or a new configuration at the first level.
//
// Decision (next()), the paper's acquisition: expected improvement at the FULL budget b_max,
//     EI(x) = (y* - mu) Phi(z) + sigma phi(z),   z = (y* - mu) / sigma,   (EI = max(y* - mu, 0) if sigma = 0)
// with mu, sigma the ensemble's mean and spread at b_max for x, and y* the best value observed
// at any budget so far. A paused trial's mean is anchored at its own newest value y_b (at
// level b): mu = mu(b_max) + (y_b - mu(b)), what the trial showed plus the gain the ensemble
// predicts from b to b_max; sigma stays the ensemble's spread at b_max. The networks fit all
// curves at once and may miss one curve by more than it still has to gain; the anchor also
// follows every new value between trainings. Why not anchor every member (sigma = the spread
// of the gains): that spread is tiny, so a paused trial's EI is its predicted gain alone and
// new configurations (unanchored, wide) win almost every decision; on 28 LCBench tasks at
// 100 x 52 epochs 500-1,600 configurations started and 2-9 reached epoch 52, against 47-86
// with the mean anchored (docs/benchmarks.md). Candidates, in this order (ties go to the first):
//   - every paused trial (Waiting, not at the top level, not out): it would run one level more
//     (the leader, the paused trial with the lowest mu, `leap` levels);
//   - when a new configuration may start: the optimizer's proposal (Optimizer::suggest at the
//     first level, held until it is started, so a start_with queue loses nothing), then
//     `candidates` configurations sampled uniformly from the space, then `local` neighbours of
//     the 10 of those that score best (a local search on the acquisition, as SMAC's; see
//     add_neighbours). A configuration that never ran is predicted from its encoding alone:
//     the networks generalize across configurations.
// The argmax is handed out. With per_cost (the default), candidates are ranked by EI per unit of
// budget still to train to b_max instead (EI per cost, Snoek, Larochelle & Adams 2012, with the cost the
// trial's remaining budget: b_max - b for a trial paused at b, b_max for a new one), which
// favours finishing promising trials over opening new ones (measured on LCBench, 6 tasks at
// 5 / 10 / 25 x 52 epochs, normalized regret 0.42 / 0.23 / 0.09 with it, 0.72 / 0.39 / 0.13
// with plain EI: plain EI opens so many configurations that none reaches 52 epochs early).
// The race to a first incumbent: once race_after x b_max has been charged and no trial has
// reached the top, the trial with the lowest mu at b_max goes on instead, until one reaches the
// top; while other runs are out it runs to the top in one go (with EI per cost alone, 9 of 28
// LCBench tasks had no configuration at 52 epochs after 5 x 52; a Hyperband bracket has one
// after about 2 x b_max). The first `initial` new
// configurations come straight from the optimizer (the initial design), and so do new ones
// while no run has ended yet. The model is trained (warm start, `train_steps` Adam steps per
// member) once the new points reach retrain_fraction of those held; every member's curve
// (alpha, beta, gamma) is cached per trial and model version, and the random candidates are
// drawn afresh and scored at each decision (one forward pass), so a decision costs a bounded
// time however long the campaign (bench-freeze-thaw-decision).
//
// Budget: levels of the ladder, one at a time; a fine ladder suits it (budget.step: e.g. 2, 4,
// ..., 52 epochs, fidelity/ladder.hpp). Continued dimensions advance from the checkpoint,
// fixed ones take the next level's value (fidelity/run_cost.hpp decides resume or rerun); the
// curve's abscissa is the level's units. Observations are the run ends' values (one point per
// trial and level); intermediate reports do not change decisions (on_report: Continue).
//
// Limits (one place, within_limits()): max_trials new configurations; max_cost the cost
// charged so far (fidelity::run_cost of every run handed out, the increment for a continued
// run: the campaign's cost units, epochs with one epochs dimension). max_cost bounds every
// launch, max_trials only new configurations (paused trials may still be continued to the top).
// At least one is required.
//
// finished() once nothing may launch (limits, or no paused trial and no new configuration
// allowed) and no run is out; paused trials then become Stopped. A failed run (or a NaN/inf
// value) makes its trial Failed: never continued; its point enters the model at the worst value
// seen so far. Optimizer: observe(config, level's budget, value) at every run end (+inf failed).
// Deterministic per seed (model initialisation, minibatches, candidate samples): a replayed log
// gives the same decisions. Contract violations throw like AsyncBracketScheduler's.
#include <Eigen/Core>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/power_law_ensemble.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/trial_table.hpp"
#include "space/search_space.hpp"

namespace rungs::scheduler {

struct FreezeThawOptions {
  std::optional<std::size_t> max_trials = std::nullopt;  // new configurations (>= 1)
  std::optional<double> max_cost = std::nullopt;         // launch while the cost charged < max_cost
  // No limit of its own is needed when the caller stops the work (a campaign's limits.cost or
  // limits.wall, as AshaOptions::limited_outside).
  bool limited_outside = false;
  std::size_t initial = 5;                               // new configurations before the model decides (>= 1)
  std::size_t candidates = 200;                          // random configurations scored per decision (see refill_pool)
  std::size_t local = 100;                               // and neighbours of the best-scored ones (see add_neighbours)
  std::size_t train_steps = 20;                          // Adam steps per member per training
  // The model is trained at a decision once the points added since its last training reach
  // max(1, retrain_fraction x points held); between trainings decisions reuse its curves, and
  // the anchor (below) still moves a paused trial's prediction with its newest value.
  double retrain_fraction = 0.05;
  // The leader (the paused trial predicted best at b_max) advances this many levels per run,
  // the others one: fewer, longer runs for the trial most likely to be continued anyway (on
  // LCBench, 28 tasks at 10 / 50 x 52 epochs: regret 0.29 / 0.17 with 2, 0.26 / 0.14 with 4,
  // and 1.7 ms of rungs' CPU per run instead of 2.1; docs/benchmarks.md).
  std::size_t leap = 4;
  bool per_cost = true;                                  // rank by EI / units left to b_max (see above)
  // Once race_after x b_max has been charged and no trial has reached the top, the trial
  // predicted best goes on to the top (see above); negative: never.
  double race_after = 2;
  PowerLawEnsembleOptions model = {};
};

// What the last model decision saw, for logs and tests.
struct FreezeThawChoice {
  std::optional<TrialId> resumed;  // the paused trial continued, or nullopt for a new configuration
  double mean = 0, std = 0, ei = 0;
  double incumbent = 0;
  std::size_t scored = 0;          // candidates scored
};

class FreezeThaw : public Scheduler {
 public:
  // Throws std::invalid_argument for a null optimizer, no limit (and not limited_outside), max_trials == 0, max_cost not
  // > 0, initial == 0, or bad model options.
  FreezeThaw(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder, space::SearchSpace space,
             FreezeThawOptions options, std::uint64_t seed);

  std::optional<Job> next() override;
  Decision on_report(TrialId trial, const Report& report) override;
  void on_run_end(TrialId trial, const RunEnd& end) override;
  bool finished() const override { return finished_; }
  TrialState state(TrialId trial) const override { return trials_.at(trial).state; }

  // A grown campaign (campaign/campaign_growth.hpp): the limits, never lowered, and a finished
  // scheduler goes on, its paused trials resumable again.
  void raise_limits(std::optional<std::size_t> max_trials, std::optional<double> max_cost, bool limited_outside);

  const std::vector<TrialInfo>& trials() const { return trials_.all(); }
  std::size_t count(TrialState state) const { return trials_.count(state); }
  std::size_t running() const { return running_.size(); }
  double cost_charged() const { return cost_charged_; }
  const PowerLawEnsemble& model() const { return model_; }
  const std::optional<FreezeThawChoice>& last_choice() const { return last_choice_; }
  const fidelity::BudgetLadder& ladder() const { return ladder_; }
  // The model's inputs for a configuration: the space's [0,1] encoding, -1 where inactive.
  Eigen::VectorXf features(const space::Config& config) const;

 private:
  bool within_limits(bool new_trial) const;
  bool may_start() const { return within_limits(true); }
  bool has_paused() const;
  space::Config take_proposal();
  Job start(space::Config config);
  Job resume(TrialId trial, std::size_t levels);
  Job hand_out(Job job);
  std::optional<Job> decide();
  void finish_if_done();
  void train_if_due();
  void refill_pool();
  void add_neighbours(const std::vector<double>& pool_scores);
  void refresh_curves(const std::vector<TrialId>& trials);
  Job start_scored(space::Config config, MemberCurves curves);
  CurvePrediction predict(const MemberCurves& curves) const;
  CurvePrediction predict_paused(TrialId trial) const;
  double acquisition(const CurvePrediction& prediction, double done, double best) const;
  std::optional<std::size_t> race_pick(const std::vector<TrialId>& paused, const std::vector<CurvePrediction>& predictions);

  std::unique_ptr<optimizers::Optimizer> optimizer_;
  fidelity::BudgetLadder ladder_;
  space::SearchSpace space_;
  FreezeThawOptions options_;
  std::mt19937_64 rng_;
  PowerLawEnsemble model_;
  TrialTable trials_;
  std::vector<Eigen::VectorXf> trial_features_;  // features(config) of trial id - 1, encoded once
  std::set<TrialId> running_;
  std::optional<space::Config> proposal_;  // the optimizer's suggestion, until started
  std::size_t trained_points_ = 0;
  std::size_t model_version_ = 0;                 // trainings so far
  std::vector<MemberCurves> curves_;              // of trial id - 1 at curves_version_
  std::vector<std::size_t> curves_version_;
  std::vector<space::SearchSpace::EncodedSample> pool_;  // new configurations scored at this decision
  std::vector<MemberCurves> pool_curves_;
  double cost_charged_ = 0;
  std::optional<double> incumbent_;        // best value observed at any level
  std::optional<double> worst_;            // worst finite value observed
  std::optional<FreezeThawChoice> last_choice_;
  bool finished_ = false;
};

}  // namespace rungs::scheduler
