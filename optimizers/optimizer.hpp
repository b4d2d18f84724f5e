#pragma once
// What to try next. The scheduler owns an Optimizer and calls it from one thread.
//
// Contract:
//  - suggest(budget) returns a configuration to start at that budget; it sets every active
//    parameter and no inactive one.
//  - observe(config, budget, value) is called once per finished run at every rung, with the
//    value to MINIMIZE (the campaign negates metrics that are maximized). A failed run, a
//    missing report or a non-finite value arrives as NaN or +inf and must count as worst.
//  - observe_past(config, budget, value): the same for a result of an earlier campaign (warm
//    start, campaign/warm_start.hpp), fed before any suggestion. Its task may differ from this
//    one's; an optimizer that can tell its own evidence from the past's weighs the past less
//    as its own grows (the default treats it as its own).
//  - observe_measured(config, budget, value, measures) is what schedulers call: the same
//    observation with what else the run measured (constraint margins, several objectives).
//    By default it forwards to observe(): an optimizer that learns nothing from constraints
//    (random search) ignores them; TPE (c-TPE, MOTPE) and the GP (probability of
//    feasibility) override it.
#include <cmath>
#include <limits>
#include <vector>

#include "fidelity/budget.hpp"
#include "space/config.hpp"

namespace rungs::optimizers {

// What a run measured besides its value, in campaigns with constraints or several objectives
// (campaign/constraint.hpp makes them from a report line). Empty vectors otherwise.
struct Measures {
  // One normalized margin per constraint, in the campaign's order: (c - t) / max(|t|, 1) for
  // `c <= t`, (t - c) / max(|t|, 1) for `c >= t`: <= 0 holds, > 0 violates. NaN: the run
  // never reported the constraint's metric (violated).
  std::vector<double> constraints{};
  // Every objective, each to minimize (maximized ones negated); empty with one objective.
  std::vector<double> objectives{};

  // Every constraint holds (a NaN margin does not).
  bool feasible() const {
    for (double m : constraints)
      if (!(m <= 0)) return false;
    return true;
  }
  // Sum of the positive margins (0 when feasible; +inf when a margin is NaN): Deb's
  // constraint-domination ranks infeasible points by it (Deb, CMAME 2000).
  double violation() const {
    double total = 0;
    for (double m : constraints) {
      if (std::isnan(m)) return std::numeric_limits<double>::infinity();
      if (m > 0) total += m;
    }
    return total;
  }
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual space::Config suggest(const fidelity::Budget& budget) = 0;
  virtual void observe(const space::Config& config, const fidelity::Budget& budget,
                       double value) = 0;
  virtual void observe_past(const space::Config& config, const fidelity::Budget& budget, double value) {
    observe(config, budget, value);
  }
  virtual void observe_measured(const space::Config& config, const fidelity::Budget& budget, double value,
                                const Measures& measures) {
    (void)measures;
    observe(config, budget, value);
  }
};

}  // namespace rungs::optimizers
