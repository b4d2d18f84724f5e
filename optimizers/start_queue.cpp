#include "optimizers/start_queue.hpp"

namespace rungs::optimizers {

StartQueue::StartQueue(std::unique_ptr<Optimizer> inner, space::SearchSpace space, std::vector<space::Config> first)
    : inner_(std::move(inner)), space_(std::move(space)) {
  for (auto& config : first) enqueue(std::move(config));
}

void StartQueue::enqueue(space::Config config) {
  space_.validate(config);
  queue_.push_back(std::move(config));
}

space::Config StartQueue::suggest(const fidelity::Budget& budget) {
  if (queue_.empty()) return inner_->suggest(budget);
  space::Config config = std::move(queue_.front());
  queue_.pop_front();
  return config;
}

void StartQueue::observe(const space::Config& config, const fidelity::Budget& budget, double value) {
  inner_->observe(config, budget, value);
}

void StartQueue::observe_measured(const space::Config& config, const fidelity::Budget& budget, double value,
                                  const Measures& measures) {
  inner_->observe_measured(config, budget, value, measures);
}

}  // namespace rungs::optimizers
