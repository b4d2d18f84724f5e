#include "study/study.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

#include "fidelity/run_cost.hpp"
#include "study/factory.hpp"

namespace rungs::study {

namespace {

std::unique_ptr<optimizers::StartQueue> queue_for(const space::SearchSpace& space, const fidelity::BudgetLadder& ladder,
                                                  StudyOptions& options) {
  auto optimizer = make_optimizer(options.optimizer, space, options.seed);
  // Past observations reach the optimizer only: the scheduler never hears of them.
  for (const auto& past : options.warm_start)
    optimizer->observe_past(past.config, ladder.at(past.level), options.maximize ? -past.value : past.value);
  return std::make_unique<optimizers::StartQueue>(std::move(optimizer), space, std::move(options.start_with));
}

// max_cost stops the study: the asynchronous schedulers need no bound of their own then.
void limit_outside(SchedulerSettings& settings) {
  std::visit(
      [](auto& options) {
        if constexpr (requires { options.limited_outside; }) options.limited_outside = true;
      },
      settings.kind);
}

}  // namespace

Study::Study(space::SearchSpace space, fidelity::BudgetLadder ladder, StudyOptions options)
    : maximize_(options.maximize), ladder_(ladder), max_cost_(options.max_cost) {
  if (max_cost_ && !(*max_cost_ > 0)) throw std::invalid_argument("max_cost must be positive");
  if (max_cost_) limit_outside(options.scheduler);
  auto queue = queue_for(space, ladder, options);
  queue_ = queue.get();
  scheduler_ = make_scheduler(options.scheduler, std::move(queue), ladder, space, options.seed);
}

void Study::enqueue(space::Config config) { queue_->enqueue(std::move(config)); }

std::size_t Study::queued() const { return queue_->queued(); }

std::optional<scheduler::Job> Study::ask() {
  auto job = held_ ? std::exchange(held_, std::nullopt) : scheduler_->next();
  if (!job) return job;
  const double charge = fidelity::run_cost(ladder_, job->budget, job->resume_from);
  if (max_cost_ && cost_ + charge > *max_cost_ + 1e-9) {
    held_ = std::move(job);
    return std::nullopt;
  }
  cost_ += charge;
  outstanding_[job->trial] = *job;
  return job;
}

scheduler::Decision Study::report(scheduler::TrialId trial, double step, double value) {
  const auto decision = scheduler_->on_report(trial, {step, to_minimize(value)});
  if (decision == scheduler::Decision::Stop) stopped_.emplace(trial, step);
  return decision;
}

void Study::tell(scheduler::TrialId trial, double value) {
  const auto found = outstanding_.find(trial);
  if (found == outstanding_.end())
    throw std::logic_error("tell: trial " + std::to_string(trial) + " has no job outstanding");
  const auto job = std::move(found->second);
  outstanding_.erase(found);
  const double minimized = std::isfinite(value) ? to_minimize(value) : std::numeric_limits<double>::quiet_NaN();
  const auto stopped = stopped_.find(trial);
  const bool stopped_early = stopped != stopped_.end();
  if (stopped_early) {  // charged in full at ask(): what it did not train comes back
    cost_ -= fidelity::run_cost(ladder_, job.budget, job.resume_from) -
             fidelity::trained_cost(ladder_, job.budget, job.resume_from, stopped->second);
    stopped_.erase(stopped);
  }
  if (incumbent_.offer({trial, job.budget.level, minimized, stopped_early, false}))
    best_ = StudyResult{trial, job.config, job.budget, value};
  scheduler_->on_run_end(trial, {minimized, false});
}

void Study::tell_failed(scheduler::TrialId trial) {
  if (outstanding_.erase(trial) == 0)
    throw std::logic_error("tell_failed: trial " + std::to_string(trial) + " has no job outstanding");
  stopped_.erase(trial);
  scheduler_->on_run_end(trial, {std::numeric_limits<double>::quiet_NaN(), true});
}

}  // namespace rungs::study
