#include "scheduler/milestones.hpp"

namespace rungs::scheduler {

std::optional<std::string> milestone_dimension(const fidelity::BudgetLadder& ladder) {
  for (const auto& dim : ladder.dimensions())
    if (dim.growth == fidelity::Growth::Continued) return dim.name;
  return std::nullopt;
}

std::vector<double> rung_milestones(const fidelity::BudgetLadder& ladder) {
  const std::optional<std::string> dim = milestone_dimension(ladder);
  std::vector<double> out;
  out.reserve(ladder.levels());
  for (std::size_t k = 0; k < ladder.levels(); ++k)
    out.push_back(dim ? ladder.at(k).values.at(*dim) : ladder.at(k).units);
  return out;
}

double final_milestone(const fidelity::BudgetLadder& ladder) { return rung_milestones(ladder).back(); }

}  // namespace rungs::scheduler
