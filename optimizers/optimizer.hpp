#pragma once
// What to try next. The scheduler owns an Optimizer and calls it from one thread.
//
// Contract:
//  - suggest(budget) returns a configuration to start at that budget; it sets every active
//    parameter and no inactive one.
//  - observe(config, budget, value) is called once per finished run at every rung, with the
//    value to MINIMIZE (the campaign negates metrics that are maximized). A failed run, a
//    missing report or a non-finite value arrives as NaN or +inf and must count as worst.
#include "fidelity/budget.hpp"
#include "space/config.hpp"

namespace rungs::optimizers {

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  virtual space::Config suggest(const fidelity::Budget& budget) = 0;
  virtual void observe(const space::Config& config, const fidelity::Budget& budget,
                       double value) = 0;
};

}  // namespace rungs::optimizers
