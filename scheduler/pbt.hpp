#pragma once
// Population-based training (Jaderberg et al. 2017, "Population Based Training of Neural
// Networks"; the asynchronous variant as in Li et al. 2019, "A Generalized Framework for
// Population Based Training"). A population of `population` members trains side by side,
// `interval` budget units at a time: a run ends at the interval with a checkpoint, the member
// pauses (Waiting), and its next run continues from there (Job::resume_from, RUNGS_RESUME=1,
// as an ASHA promotion). At each interval's end a member is ranked against the others:
//   - top and bottom quantiles: k = ceil(n * quantile) members each, at most floor(n / 2)
//     (Ray Tune's rule), n the members ranked (those with a result; failed ones drop out),
//     ties broken by member number;
//   - a member in the bottom quantile EXPLOITS a top one drawn uniformly (one that can still
//     train): it becomes a NEW trial (Job::inherits) that continues from the donor's checkpoint
//     at the donor's latest interval, with the donor's configuration EXPLORED (pbt_explore.hpp);
//     its previous trial is Stopped there. Any other member continues its own trial.
// Why a new trial per exploit (not the member's id kept): a trial keeps one configuration,
// so the store's trials table, the report's per-configuration charts and the incumbent stay
// true (a value at a budget belongs to the configuration that produced it); the lineage is
// recorded with the launch (Job::inherits: donor, replaced trial, member), and a member's
// schedule is read back by following it (store/lineage.hpp).
//
// Variants (`synchronous`):
//   - asynchronous (default): a member decides when it reaches its interval, against the
//     members' latest results (each member's value at its last interval, whatever interval
//     that was), and goes on at once: it never waits for the rest of the population. Its
//     donor's checkpoint may be at another interval than its own: it continues from the
//     donor's (the weights carry their training time with them).
//   - synchronous: a generation waits until every member has reached the interval (or
//     failed); then all decide at once on their values there, exploiting members handed out
//     first.
// Checkpoints: every run is handed out with keep_checkpoint: the caller keeps each run's
// checkpoint at its end, so that a later copy takes the donor's weights at exactly the
// budget recorded (the donor may have trained further since).
//
// Budget: a linear ladder (budget.step, fidelity/ladder.hpp); interval a whole multiple of
// the step (0: one step). Runs end at levels k-1, 2k-1, ..., and the top (k = interval/step).
// New members start with the optimizer's suggestions (a start_with queue first), one per
// member. Limits (within_limits()): max_trials caps the trials (members started plus exploits:
// once reached, weak members go on with their own configuration); max_cost the cost charged
// (fidelity::run_cost at hand-out). Neither is required: the population ends at the top.
// A failed run (or a NaN/inf value) makes its trial Failed; the member is not ranked and counts
// as the worst: at its next turn it takes a top member's weights (a new trial), or drops out
// when no member has a result to give.
// Explore rule (`explore`): perturb (pbt_explore.hpp) or pb2, where a GP bandit over the
// intervals the population has finished chooses the numeric values (Parker-Holder et al. 2020;
// optimizers/interval_bandit.hpp: the caller hands the bandit in, study/factory.cpp builds
// optimizers/gp/pb2_bandit.hpp). For it, every good run that continued a result (its own
// trial's, or a donor's copied checkpoint) is an IntervalResult: its configuration, the time
// its run ended (in intervals: level + 1 over the levels per interval) and (value at the
// start - value at the end) / budget units. The bandit sees the runs still out as pending.
// Deterministic per seed: a replayed log gives the same decisions.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "fidelity/ladder.hpp"
#include "optimizers/interval_bandit.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/pbt_explore.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/trial_table.hpp"
#include "space/search_space.hpp"

namespace rungs::scheduler {

enum class PbtExplore { perturb, pb2 };

struct PbtOptions {
  std::size_t population = 16;
  double interval = 0;  // budget units per run; 0: the ladder's step
  double quantile = 0.25;
  double perturb_low = 0.8;
  double perturb_high = 1.2;
  double resample_probability = 0.25;
  bool synchronous = false;
  PbtExplore explore = PbtExplore::perturb;  // pb2: the constructor needs a bandit
  std::optional<std::size_t> max_trials = std::nullopt;  // trials: members started + exploits
  std::optional<double> max_cost = std::nullopt;         // launch while the cost charged < max_cost
  bool limited_outside = false;                          // the caller stops it too (campaign limits)
};

// One exploit, as decided (for logs, tests and the campaign's records).
struct PbtExploit {
  std::size_t member = 0;
  TrialId donor = 0, replaced = 0, trial = 0;
  std::size_t level = 0;  // the donor's level whose checkpoint is copied
  space::Config before, after;  // the replaced trial's configuration, and the new one
};

class Pbt : public Scheduler {
 public:
  // Throws std::invalid_argument for a null optimizer, a ladder without step, a population
  // below 2, an interval that is not a positive multiple of the step, a quantile outside
  // (0, 0.5], bad explore options (pbt_explore.hpp), max_trials 0 or max_cost not > 0, and
  // explore pb2 without a bandit (used only with explore pb2).
  Pbt(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder, space::SearchSpace space,
      PbtOptions options, std::uint64_t seed, std::unique_ptr<optimizers::IntervalBandit> bandit = nullptr);

  std::optional<Job> next() override;
  Decision on_report(TrialId trial, const Report& report) override;
  void on_run_end(TrialId trial, const RunEnd& end) override;
  bool finished() const override { return finished_; }
  TrialState state(TrialId trial) const override { return trials_.at(trial).state; }

  // A grown campaign (campaign/campaign_growth.hpp): the limits, and members a limit
  // stopped may go on.
  void raise_limits(std::optional<std::size_t> max_trials, std::optional<double> max_cost, bool limited_outside);

  const std::vector<TrialInfo>& trials() const { return trials_.all(); }
  const std::vector<PbtExploit>& exploits() const { return exploits_; }
  // The member a trial belongs to (TrialInfo::bracket holds it too).
  std::size_t member_of(TrialId trial) const { return trials_.at(trial).bracket; }
  double cost_charged() const { return cost_charged_; }
  // explore pb2: the intervals recorded for the bandit, in the order they ended.
  const std::vector<optimizers::IntervalResult>& intervals() const { return intervals_; }
  std::size_t levels_per_interval() const { return per_interval_; }

 private:
  struct Member {
    TrialId trial = 0;
    std::size_t level = 0;  // level of its last ended run (valid once has_result)
    double value = 0;       // its value there (to minimize)
    bool has_result = false, running = false, failed = false;
    std::optional<std::pair<std::size_t, double>> run_from{};  // level and value its run continues
  };
  bool within_limits(bool new_trial) const;
  std::size_t first_level() const;
  std::size_t next_level(std::size_t level) const;
  bool can_continue(const Member& m) const;
  Job hand_out(Job job);
  Job start_member();
  Job continue_member(std::size_t member);
  space::Config explore_from(const space::Config& donor, std::size_t member, std::size_t level);
  void record_interval(const TrialInfo& info, Member& m, double value);
  std::optional<std::size_t> donor_for(std::size_t member, const std::vector<std::size_t>& ranked);
  std::vector<std::size_t> ranked_members() const;
  void start_generation();
  void finish_if_done();

  std::unique_ptr<optimizers::Optimizer> optimizer_;
  fidelity::BudgetLadder ladder_;
  space::SearchSpace space_;
  PbtOptions options_;
  ExploreOptions explore_;
  std::unique_ptr<optimizers::IntervalBandit> bandit_;
  std::vector<optimizers::IntervalResult> intervals_;
  std::size_t per_interval_ = 1;
  std::mt19937_64 rng_;
  TrialTable trials_;
  std::vector<Member> members_;
  std::deque<std::size_t> ready_;     // members to hand out next, in order
  std::vector<std::size_t> waiting_;  // synchronous: members at the generation's interval
  std::map<std::size_t, std::size_t> planned_;  // synchronous: member -> donor, decided per generation
  std::vector<PbtExploit> exploits_;
  double cost_charged_ = 0;
  bool finished_ = false;
};

}  // namespace rungs::scheduler
