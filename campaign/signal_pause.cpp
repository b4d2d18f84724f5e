#include "campaign/signal_pause.hpp"

namespace rungs::campaign {

scheduler::Job launched_job(const CampaignSpec& spec, const scheduler::Job& job) {
  if (!spec.trial.keep_paused) return job;
  scheduler::Job whole = job;
  const auto& top = spec.ladder.at(spec.ladder.levels() - 1);
  for (const auto& dim : spec.ladder.dimensions())
    if (dim.growth == fidelity::Growth::Continued) whole.budget.values[dim.name] = top.values.at(dim.name);
  return whole;
}

std::optional<double> pause_step(const CampaignSpec& spec, const scheduler::Job& job) {
  if (!spec.trial.keep_paused || job.budget.level + 1 >= spec.ladder.levels()) return std::nullopt;
  for (const auto& dim : spec.ladder.dimensions())
    if (dim.growth == fidelity::Growth::Continued) return job.budget.values.at(dim.name);
  return std::nullopt;
}

bool continues_paused(const fidelity::BudgetLadder& ladder, const fidelity::Budget& paused,
                      const fidelity::Budget& next) {
  for (const auto& dim : ladder.dimensions())
    if (dim.growth != fidelity::Growth::Continued && paused.values.at(dim.name) != next.values.at(dim.name))
      return false;
  return true;
}

}  // namespace rungs::campaign
