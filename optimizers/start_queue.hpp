#pragma once
// Configurations to try first (a campaign's `start_with:`, Study::enqueue): an Optimizer that
// hands out queued configurations before asking the optimizer it wraps. The scheduler treats
// them like any suggestion: they start at whatever rung it asks the optimizer for next (the
// first bracket's lowest rung for Hyperband, the base rung for ASHA), are promoted or stopped
// on their results, and every observation reaches the wrapped optimizer, so a model learns
// from them as from its own suggestions.
//
// Resume: a campaign rebuilds its scheduler and optimizer and replays its log through them
// (campaign/campaign_loop.hpp); the queue is rebuilt from the same `start_with:` list, so the
// replay hands out the same configurations to the same trials and none runs twice (the
// campaign's YAML may not change between a stop and a resume: campaign_change.hpp).
#include <deque>
#include <memory>
#include <vector>

#include "optimizers/optimizer.hpp"
#include "space/search_space.hpp"

namespace rungs::optimizers {

class StartQueue final : public Optimizer {
 public:
  // Validates every configuration against `space` (SearchSpace::validate: a missing, inactive,
  // unknown or out-of-range value throws space::SpaceError naming the parameter).
  StartQueue(std::unique_ptr<Optimizer> inner, space::SearchSpace space, std::vector<space::Config> first = {});

  // Appends a configuration, validated as above; it is handed out after those already queued.
  void enqueue(space::Config config);

  // The queue's front while it has one, then the wrapped optimizer's suggestion.
  space::Config suggest(const fidelity::Budget& budget) override;
  void observe(const space::Config& config, const fidelity::Budget& budget, double value) override;
  void observe_past(const space::Config& config, const fidelity::Budget& budget, double value) override {
    inner_->observe_past(config, budget, value);
  }
  void observe_measured(const space::Config& config, const fidelity::Budget& budget, double value,
                        const Measures& measures) override;

  std::size_t queued() const { return queue_.size(); }
  Optimizer& inner() { return *inner_; }

 private:
  std::unique_ptr<Optimizer> inner_;
  space::SearchSpace space_;
  std::deque<space::Config> queue_;
};

}  // namespace rungs::optimizers
