#include "campaign/retrain_check.hpp"

#include "fidelity/run_cost.hpp"

namespace rungs::campaign {

bool retrains_from_start(const fidelity::BudgetLadder& ladder, const scheduler::Job& job, double first_step,
                         std::optional<double> previous_step) {
  if (!previous_step || !ladder.has_continued()) return false;
  if (fidelity::run_start(ladder, job.budget, job.resume_from) != fidelity::RunStart::Resume) return false;
  return first_step <= *previous_step;
}

double retrained_cost(const fidelity::BudgetLadder& ladder, const scheduler::Job& job) {
  return fidelity::run_cost(ladder, job.budget, std::nullopt);
}

}  // namespace rungs::campaign
