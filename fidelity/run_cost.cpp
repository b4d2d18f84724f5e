#include "fidelity/run_cost.hpp"

#include <algorithm>

namespace rungs::fidelity {

const char* to_string(RunStart start) {
  switch (start) {
    case RunStart::New: return "new";
    case RunStart::Resume: return "resume";
    case RunStart::Rerun: return "rerun";
  }
  return "?";
}

RunStart run_start(const BudgetLadder& ladder, const Budget& budget, const std::optional<Budget>& resumed_from) {
  if (!resumed_from) return RunStart::New;
  for (const auto& dim : ladder.dimensions()) {
    if (dim.growth != Growth::Fixed || dim.warm_start) continue;
    if (budget.values.at(dim.name) != resumed_from->values.at(dim.name)) return RunStart::Rerun;
  }
  return RunStart::Resume;
}

double run_cost(const BudgetLadder& ladder, const Budget& budget, const std::optional<Budget>& resumed_from) {
  const double full = ladder.point_cost(budget);
  if (run_start(ladder, budget, resumed_from) != RunStart::Resume || !ladder.has_continued()) return full;
  Budget done = budget;  // the work the checkpoint holds, at the new values of the other dimensions
  done.level = resumed_from->level;
  done.units = resumed_from->units;
  for (const auto& dim : ladder.dimensions())
    if (dim.growth == Growth::Continued) done.values[dim.name] = resumed_from->values.at(dim.name);
  return std::max(0.0, full - ladder.point_cost(done));
}

double trained_cost(const BudgetLadder& ladder, const Budget& budget, const std::optional<Budget>& resumed_from,
                    double step) {
  const double full = run_cost(ladder, budget, resumed_from);
  const Dimension* counted = nullptr;
  for (const auto& dim : ladder.dimensions())
    if (dim.growth == Growth::Continued) {
      counted = &dim;
      break;
    }
  const auto steps_at = [counted](const Budget& point) { return counted ? point.values.at(counted->name) : point.units; };
  const double end = steps_at(budget);
  double start = 0;
  if (counted && run_start(ladder, budget, resumed_from) == RunStart::Resume) start = steps_at(*resumed_from);
  if (!(end > start)) return full;
  return full * std::clamp((step - start) / (end - start), 0.0, 1.0);
}

}  // namespace rungs::fidelity
