#pragma once
// A bandit over the hyperparameters of the next training interval: the explore step of PB2
// (Parker-Holder, Nguyen & Roberts, "Provably Efficient Online Hyperparameter Optimization
// with Population-Based Bandits", NeurIPS 2020), behind an interface so that the scheduler
// that calls it (scheduler/pbt.hpp, `explore: pb2`) need not see its model.
//
// Why here, header-only: scheduler/ may include only the optimizer interfaces of optimizers/
// (scripts/check_boundaries.sh), and the bandit is a GP model over hyperparameters, so its
// implementation lives with the GP code (optimizers/gp/pb2_bandit.hpp); study/factory.cpp
// builds one and hands it to the Pbt scheduler, as it hands a scheduler its Optimizer.
//
// Contract: the scheduler calls select() from one thread, each time a member in the bottom
// quantile takes a top member's weights, with every interval the population has finished so
// far (in the order they finished) and the configurations of the runs still out. The result
// depends only on the arguments and the engine's state (resume replays the same choices).
#include <random>
#include <vector>

#include "space/config.hpp"

namespace rungs::optimizers {

// One finished interval of one member: it trained with `config` until `time`, and its metric
// improved by `improvement` per budget unit over the interval.
struct IntervalResult {
  double time = 0;             // when the interval ended, in intervals since training began
  space::Config config{};      // the hyperparameters it trained with over the interval
  double improvement = 0;      // (value at its start - value at its end) / budget units: larger is better
};

class IntervalBandit {
 public:
  virtual ~IntervalBandit() = default;

  // The configuration for a run that ends at `time` (in intervals, like IntervalResult::time).
  // `start` is the donor's configuration as PBT's explore step left it (categoricals kept or
  // resampled, conditions consistent): the bandit chooses its numeric values and keeps the
  // rest; `pending` are the configurations of the runs still out, whose results are unknown.
  // Returns a configuration valid in the bandit's space (every active parameter set, within
  // bounds, no inactive one).
  virtual space::Config select(const space::Config& start, double time, const std::vector<IntervalResult>& history,
                               const std::vector<space::Config>& pending, std::mt19937_64& rng) = 0;
};

}  // namespace rungs::optimizers
