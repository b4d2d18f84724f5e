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
#include "fidelity/budget.hpp"
#include "space/config.hpp"

namespace rungs::optimizers {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual space::Config suggest(const fidelity::Budget& budget) = 0;
  virtual void observe(const space::Config& config, const fidelity::Budget& budget,
                       double value) = 0;
  virtual void observe_past(const space::Config& config, const fidelity::Budget& budget, double value) {
    observe(config, budget, value);
  }
};

}  // namespace rungs::optimizers
