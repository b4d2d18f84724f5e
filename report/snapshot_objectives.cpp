// The several objectives and constraints of a campaign snapshot (snapshot.hpp).
#include <algorithm>
#include <cmath>
#include <map>

#include "optimizers/pareto.hpp"
#include "report/snapshot.hpp"

namespace rungs::report {

namespace {

void add_constraints(CampaignSnapshot& snapshot, const std::vector<store::RunRecord>& records) {
  for (const auto& record : records) {
    if (!record.end || !record.end->constraints.is_array()) continue;
    for (const auto& c : record.end->constraints) {
      const auto text = c.value("constraint", std::string());
      auto it = std::find_if(snapshot.constraints.begin(), snapshot.constraints.end(),
                             [&](const ConstraintInfo& known) { return known.text == text; });
      if (it == snapshot.constraints.end()) {
        snapshot.constraints.push_back({text, c.value("metric", std::string()), false, 0});
        it = std::prev(snapshot.constraints.end());
      }
      if (c.contains("value") && c["value"].is_number()) it->reported = true;
    }
    if (!record.end->failure)
      for (const auto& c : record.end->constraints)
        if (!c.value("holds", true))
          for (auto& known : snapshot.constraints) known.infeasible += known.text == c.value("constraint", std::string());
  }
}

}  // namespace

void add_objectives(CampaignSnapshot& snapshot, const std::vector<store::RunRecord>& records) {
  add_constraints(snapshot, records);
  for (const auto& record : records)
    if (record.end && record.end->objectives.is_array() && snapshot.objectives.empty())
      for (const auto& o : record.end->objectives)
        snapshot.objectives.push_back({o.value("name", std::string()), o.value("mode", std::string()) == "max"});
  if (snapshot.objectives.empty()) return;
  // The loop's rule (campaign/pareto_result.hpp): runs that count for the incumbent, at the
  // highest level any reached, the latest per trial, non-dominated.
  const auto counts = [&](const RunSummary& run) {
    return run.ended && !run.failed && !run.stopped_by_scheduler && run.feasible &&
           run.objectives.size() == snapshot.objectives.size() &&
           std::all_of(run.objectives.begin(), run.objectives.end(), [](double v) { return std::isfinite(v); });
  };
  std::int64_t top = -1;
  for (const auto& run : snapshot.runs)
    if (counts(run)) top = std::max(top, run.level);
  std::map<std::int64_t, const RunSummary*> latest;
  for (const auto& run : snapshot.runs)
    if (counts(run) && run.level == top) latest[run.trial] = &run;
  std::vector<const RunSummary*> runs;
  std::vector<optimizers::Point> points;
  for (const auto& [trial, run] : latest) {
    runs.push_back(run);
    optimizers::Point p;
    for (std::size_t i = 0; i < run->objectives.size(); ++i)
      p.push_back(snapshot.objectives[i].maximize ? -run->objectives[i] : run->objectives[i]);
    points.push_back(std::move(p));
  }
  std::vector<std::pair<double, std::size_t>> order;
  for (std::size_t i : optimizers::pareto_front(points)) order.emplace_back(points[i][0], i);
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : runs[a.second]->trial < runs[b.second]->trial;
  });
  for (const auto& [first, i] : order) snapshot.front.push_back({runs[i]->trial, runs[i]->level, runs[i]->objectives});
}

}  // namespace rungs::report
