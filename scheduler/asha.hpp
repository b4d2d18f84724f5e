#pragma once
// The asynchronous schedulers (both are AsyncBracketScheduler, async_bracket_scheduler.hpp):
//
//  - Asha (Li et al., "A System for Massively Parallel Hyperparameter Tuning", MLSys 2020,
//    Algorithm 2): ONE asynchronous successive-halving bracket s, rungs at levels
//    s_max - s .. s_max (default s = s_max: from level 0), eta = ladder.eta(). Promotion mode
//    pauses trials at each rung and promotes the top floor(|rung| / eta); stopping mode runs
//    each trial at the top budget and stops it at a milestone where it is not in the top 1/eta
//    (asha_bracket.hpp has both, with the formulas).
//
//  - AsyncHyperband (the same paper, Section 3.2, "asynchronous Hyperband"; Ray Tune's
//    AsyncHyperBandScheduler with several brackets): one ASHA bracket per Hyperband bracket
//    s = s_max, s_max-1, .., 0 (Job::bracket b = s_max - s, rung 0 at level b), in one
//    scheduler. New configurations go to the brackets in proportion to Hyperband's bracket
//    sizes n_s = ceil((s_max+1)/(s+1) eta^s) (hyperband_schedule.hpp; R=81, eta=3: 81, 34,
//    15, 8, 5), by a deterministic weighted round robin (argmin started_b / n_b).
//    Why proportional and not plain round robin: Hyperband sizes n_s so that every bracket
//    spends about the same budget B per iteration (n_s r_s (s+1) ~ B); sending new trials in
//    the ratio n_s keeps that hedge between aggressive and conservative early stopping, and
//    the first sum(n_s) trials go exactly where one synchronous Hyperband iteration would put
//    them. Plain round robin would give the full-budget bracket s=0 as many trials as the
//    most aggressive one and spend most of the budget there. Ray instead draws the bracket at
//    random (softmax of rung counts); ours is deterministic, like the rest of the scheduler.
//
// Asynchronous BOHB is AsyncHyperband (or Asha) with the TPE optimizer: nothing more.
// Configuration errors throw std::invalid_argument at construction with the bad value.
#include <cstddef>
#include <memory>
#include <optional>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/async_bracket_scheduler.hpp"

namespace rungs::scheduler {

struct AshaOptions {
  AshaMode mode = AshaMode::Promotion;
  std::optional<std::size_t> bracket = std::nullopt;  // s in 0..s_max (rung 0 at level s_max - s); default s_max
  std::optional<std::size_t> max_trials = std::nullopt;  // new configurations (>= 1)
  std::optional<double> max_units = std::nullopt;        // start new ones while units_used() < max_units
  // At least one of max_trials / max_units is required, unless the caller stops handing out
  // work itself (AsyncLimits::limited_outside: a campaign's limits.cost or limits.wall).
  bool limited_outside = false;
};

class Asha : public AsyncBracketScheduler {
 public:
  Asha(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder, AshaOptions options);
};

struct AsyncHyperbandOptions {
  AshaMode mode = AshaMode::Promotion;
  std::optional<std::size_t> max_trials = std::nullopt;  // new configurations over all brackets (>= 1)
  std::optional<double> max_units = std::nullopt;
  // At least one of max_trials / max_units is required, unless limited_outside (as for Asha).
  bool limited_outside = false;
};

class AsyncHyperband : public AsyncBracketScheduler {
 public:
  AsyncHyperband(std::unique_ptr<optimizers::Optimizer> optimizer, fidelity::BudgetLadder ladder,
                 AsyncHyperbandOptions options);
};

}  // namespace rungs::scheduler
