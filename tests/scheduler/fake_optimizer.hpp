#pragma once
// Test helpers for the scheduler suite: a fake Optimizer that counts, and a fake campaign loop.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::test {

// What the fake optimizer saw; shared so that a test keeps it after the scheduler took the
// optimizer.
struct OptimizerLog {
  struct Observation {
    double x = 0;
    std::size_t level = 0;
    double value = 0;
  };
  std::vector<std::size_t> suggested_levels;
  std::vector<Observation> observed;
};

// suggest() returns {"x": 0.0}, {"x": 1.0}, ... in call order.
class FakeOptimizer : public optimizers::Optimizer {
 public:
  explicit FakeOptimizer(std::shared_ptr<OptimizerLog> log) : log_(std::move(log)) {}
  space::Config suggest(const fidelity::Budget& budget) override {
    log_->suggested_levels.push_back(budget.level);
    return space::Config{{"x", static_cast<double>(counter_++)}};
  }
  void observe(const space::Config& config, const fidelity::Budget& budget, double value) override {
    log_->observed.push_back({std::get<double>(config.at("x")), budget.level, value});
  }

 private:
  std::shared_ptr<OptimizerLog> log_;
  std::int64_t counter_ = 0;
};

inline std::unique_ptr<optimizers::Optimizer> fake_optimizer(std::shared_ptr<OptimizerLog> log) {
  return std::make_unique<FakeOptimizer>(std::move(log));
}

inline double x_of(const space::Config& config) { return std::get<double>(config.at("x")); }

inline fidelity::BudgetLadder ladder(double min, double max, double eta) {
  return fidelity::BudgetLadder(min, max, eta, {});
}

// A fake campaign loop with unlimited workers: take every job next() offers, then answer all
// of them (last handed out first, to show the order does not matter), until finished().
// Fails the test if the scheduler stalls (nothing to hand out, nothing running, not finished).
inline std::vector<scheduler::Job> drive(scheduler::Scheduler& s,
                                         const std::function<scheduler::RunEnd(const scheduler::Job&)>& answer,
                                         std::size_t max_rounds = 10000) {
  std::vector<scheduler::Job> all;
  for (std::size_t round = 0; round < max_rounds && !s.finished(); ++round) {
    std::vector<scheduler::Job> batch;
    while (auto job = s.next()) batch.push_back(*job);
    REQUIRE_MESSAGE(!batch.empty(), "scheduler stalled: nothing to hand out, nothing running, not finished");
    for (auto it = batch.rbegin(); it != batch.rend(); ++it) s.on_run_end(it->trial, answer(*it));
    all.insert(all.end(), batch.begin(), batch.end());
  }
  CHECK(s.finished());
  CHECK_FALSE(s.next().has_value());
  return all;
}

}  // namespace rungs::test
