#pragma once
// One asynchronous successive-halving bracket: the rungs of ASHA (Li, Jamieson, Rostamizadeh,
// Gonina, Ben-tzur, Hardt, Recht, Talwalkar, "A System for Massively Parallel Hyperparameter
// Tuning", MLSys 2020, Algorithm 2), in its two usual forms.
//
// Rung k (k = 0..K-1) sits at ladder level first_level + k; the top rung is the ladder's top
// level s_max, so K = s_max - first_level + 1 and Hyperband's bracket index is s = K - 1.
// A rung holds every result that reached it: RungResult{trial, value, failed}; failed and
// non-finite results count in |rung_k| but rank last and never advance (promotion.hpp).
//
// Promotion mode (the paper's Algorithm 2, "get_job"): when a worker is free,
//   for k = K-2 .. 0 (top-down):
//     candidates = the top floor(|rung_k| / eta) of rung k      (select_promotions)
//     if some candidate was not promoted yet: promote the best such one to rung k+1
//   otherwise start a new configuration at rung 0.
// A trial pauses (TrialState::Waiting) after each rung until it is promoted; a promoted run
// carries resume_from = the budget of the rung it finished. With fewer than eta results in a
// rung, floor(n / eta) = 0: nothing in it is promotable yet. ASHA never demotes: a trial once
// promoted stays promoted even if later results push it out of the top 1/eta.
//
// Stopping mode (Ray Tune's AsyncHyperBandScheduler, Optuna's SuccessiveHalvingPruner): a trial
// is launched once, at the TOP budget, and runs on. Rung k's milestone is the report step at
// which the run reaches level first_level + k (milestones.hpp: epochs 1, 3, 9, 27, ...). The
// first report with step >= milestone(k) records its value in rung k, and the trial is then
// judged against the values recorded there so far (its own included):
//     n = |rung_k|;  n < eta (floor(n/eta) = 0)  -> Continue  (too few to judge: a trial
//                                                              is never stopped by a rung it
//                                                              alone or nearly alone reached)
//     otherwise Continue iff the trial is among select_promotions(rung_k, floor(n / eta))
// A report that passes several milestones at once records the same value in each, lowest
// first, and stops at the first rung that says Stop. No decision at the top rung (the run ends
// there anyway): its value is the RunEnd value of a run that completed.
//
// States: Running while a run is out; Waiting (promotion mode) between a rung and the
// promotion; Stopped when the run was stopped (stopping mode, after its run ended) or when the
// scheduler finishes with the trial still paused (stop_waiting); Completed after a run that
// ended at the top level without failing; Failed when its last run failed.
//
// Optimizer: promotion mode observes every run end at the run's budget; stopping mode observes
// each recorded milestone at its rung's budget, the RunEnd value at the top budget, and a
// failure as +inf at the first rung the run did not reach. Failed or non-finite: +inf.
#include <cstddef>
#include <map>
#include <optional>
#include <unordered_set>
#include <vector>

#include "fidelity/ladder.hpp"
#include "scheduler/bracket.hpp"
#include "scheduler/promotion.hpp"
#include "scheduler/ranked_rung.hpp"
#include "scheduler/scheduler.hpp"
#include "scheduler/trial_table.hpp"

namespace rungs::scheduler {

enum class AshaMode {
  Promotion,  // pause at each rung, promote the top 1/eta (ASHA, Algorithm 2)
  Stopping,   // run at the top budget, stop below a rung's top 1/eta (Ray, Optuna)
};

const char* to_string(AshaMode mode);

// One rung, for status displays.
struct AshaRungStatus {
  std::size_t level = 0;
  double milestone = 0;      // report step of the level (stopping mode)
  std::size_t size = 0;      // results recorded
  std::size_t promoted = 0;  // promotion mode: trials promoted out of it
};

struct AshaBracketStatus {
  std::size_t index = 0;        // Job::bracket
  std::size_t first_level = 0;  // s = s_max - first_level
  std::size_t started = 0;      // new configurations started
  std::size_t running = 0;      // runs out
  std::vector<AshaRungStatus> rungs;  // bottom first
};

class AshaBracket {
 public:
  // Throws std::invalid_argument when first_level is beyond the ladder's top level.
  AshaBracket(std::size_t index, std::size_t first_level, AshaMode mode, const fidelity::BudgetLadder& ladder);

  std::size_t index() const { return index_; }
  std::size_t first_level() const { return first_level_; }
  AshaMode mode() const { return mode_; }
  std::size_t started() const { return started_; }
  std::size_t running() const { return running_.size(); }
  std::size_t rung_count() const { return rungs_.size(); }
  // Results recorded in rung k (bottom = 0), in arrival order.
  const std::vector<RungResult>& rung(std::size_t k) const { return rungs_.at(k).results; }

  // Promotion mode: the ladder level of the rung whose candidate promote() would take (the
  // highest rung with an unpromoted candidate), or nullopt. Always nullopt in stopping mode.
  std::optional<std::size_t> promotion_level() const;
  // Hands out that promotion. Throws std::logic_error when there is none.
  Job promote(const BracketContext& ctx);
  // A new configuration (optimizer.suggest) at rung 0's budget (promotion mode) or at the
  // top budget (stopping mode).
  Job start(const BracketContext& ctx);

  // Throws std::logic_error when `trial` has no run out in this bracket.
  Decision on_report(TrialId trial, const Report& report, const BracketContext& ctx);
  void on_run_end(TrialId trial, const RunEnd& end, const BracketContext& ctx);

  // The scheduler is finishing: every trial still paused at a rung becomes Stopped.
  void stop_waiting(const BracketContext& ctx);

  AshaBracketStatus status() const;

 private:
  struct Rung {
    std::size_t level = 0;
    double milestone = 0;
    std::vector<RungResult> results;  // arrival order
    RankedRung ranked;                // the same results in rank order, for O(log n) questions
    std::unordered_set<TrialId> promoted;
  };
  struct Progress {               // a run out
    std::size_t recorded = 0;     // stopping mode: rungs recorded so far
    bool stop_requested = false;  // stopping mode: on_report answered Stop
  };

  std::size_t places(std::size_t n) const;  // floor(n / eta)
  std::optional<TrialId> candidate(const Rung& rung) const;
  void add_result(Rung& rung, const RungResult& result);
  Progress& running_run(TrialId trial, const BracketContext& ctx, const char* call);
  Decision record_milestones(TrialId trial, const Report& report, Progress& progress, const BracketContext& ctx);

  std::size_t index_;
  std::size_t first_level_;
  AshaMode mode_;
  double eta_;
  std::vector<Rung> rungs_;
  std::map<TrialId, Progress> running_;
  std::size_t started_ = 0;
};

}  // namespace rungs::scheduler
