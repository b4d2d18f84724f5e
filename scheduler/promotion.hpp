#pragma once
// Who advances from a finished rung: ranking and top-k promotion as small pure functions.
//
// Successive halving (Jamieson & Talwalkar, AISTATS 2016; Li et al., JMLR 2018, Alg. 1):
// after stage i, keep the top floor(n_i / eta) configurations by value ("top_k").
//
// Rules, chosen to be deterministic and to never promote garbage:
//  - smaller value is better (everything is minimized);
//  - ties are broken by trial id, earlier (smaller) id first: the same inputs in any order
//    give the same promotions;
//  - a result is *promotable* only if the run did not fail and its value is finite. NaN
//    (missing), +inf and -inf rank last and are never promoted: -inf is "better" than any
//    number only by accident (log(0), a diverged loss printed as -inf), and crowning a broken
//    trial would waste the largest budgets on it;
//  - so a rung may promote FEWER than k trials (possibly none: the bracket then ends);
//  - constraints (Deb's feasibility rules, Deb, CMAME 2000): a feasible result ranks before
//    every infeasible one; infeasible ones rank by their violation (the sum of their
//    normalized margins, optimizers::Measures::violation), then by value. They stay
//    promotable: a rung whose results are all infeasible still promotes the least infeasible;
//  - several objectives (results with 2+ objectives): feasible results rank front by front
//    (non-dominated sorting), each front in epsilon-net order (MO-ASHA, Schmucker et al. 2021;
//    optimizers/pareto.hpp), the input sorted by trial id first so that ties go to the
//    earlier trial. The scalar value is then ignored for the feasible ones.
// rank_results is the one place a rung's order is made: synchronous brackets use it through
// select_promotions, ASHA's rungs (ranked_rung.hpp) through the same key or, with several
// objectives, by calling it.
#include <cstddef>
#include <functional>
#include <span>
#include <vector>

#include "scheduler/scheduler.hpp"

namespace rungs::scheduler {

// One finished run of a rung.
struct RungResult {
  TrialId trial = 0;
  double value = 0;     // to minimize; NaN when the run reported nothing
  bool failed = false;  // crashed, timed out, killed
  double violation = 0;  // 0 when feasible (or without constraints); +inf: a metric missing
  std::vector<double> objectives{};  // several objectives (each minimized); empty with one
};

// A run's result at its rung, from its end (or from a report, stopping mode).
RungResult rung_result(TrialId trial, double value, bool failed, const optimizers::Measures& measures);

// Not failed, a finite value and finite objectives.
bool promotable(const RungResult& result);

// Every trial id, best first: promotable results by (value, id), then the others by id.
// Throws std::invalid_argument when a trial id appears twice.
std::vector<TrialId> rank_results(std::span<const RungResult> results);

// The ids to promote: the first min(k, #promotable) of rank_results(results).
// Throws std::invalid_argument when a trial id appears twice.
std::vector<TrialId> select_promotions(std::span<const RungResult> results, std::size_t k);

// The decision point of a bracket (HpBandSter's "subclass decides who advances"): given a
// finished rung and the number k of places in the next one, return at most k ids of
// promotable results, best first. select_promotions is the default; a bracket checks what a
// rule returns and throws std::logic_error when it breaks these limits.
using PromotionRule = std::function<std::vector<TrialId>(std::span<const RungResult>, std::size_t k)>;

}  // namespace rungs::scheduler
