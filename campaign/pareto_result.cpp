#include "campaign/pareto_result.hpp"

#include <algorithm>
#include <map>

#include "campaign/trial_launch.hpp"
#include "optimizers/pareto.hpp"

namespace rungs::campaign {

ParetoPoint pareto_candidate(const CampaignSpec& spec, scheduler::TrialId trial, std::size_t level,
                             std::vector<double> minimized, space::Config config) {
  ParetoPoint point{trial, level, std::move(minimized), {}, std::move(config)};
  for (std::size_t i = 0; i < point.minimized.size() && i < spec.objectives.metrics.size(); ++i)
    point.values.push_back(spec.objectives.metrics[i].from_minimized(point.minimized[i]));
  return point;
}

std::vector<ParetoPoint> pareto_result(const std::vector<ParetoPoint>& candidates) {
  std::size_t top = 0;
  for (const auto& c : candidates) top = std::max(top, c.level);
  std::map<scheduler::TrialId, const ParetoPoint*> latest;  // per trial, at the top level
  for (const auto& c : candidates)
    if (c.level == top) latest[c.trial] = &c;
  std::vector<const ParetoPoint*> at_top;
  std::vector<optimizers::Point> points;
  for (const auto& [trial, c] : latest) {
    at_top.push_back(c);
    points.push_back(c->minimized);
  }
  std::vector<ParetoPoint> front;
  for (std::size_t i : optimizers::pareto_front(points)) front.push_back(*at_top[i]);
  std::sort(front.begin(), front.end(), [](const ParetoPoint& a, const ParetoPoint& b) {
    return a.minimized.front() != b.minimized.front() ? a.minimized.front() < b.minimized.front() : a.trial < b.trial;
  });
  return front;
}

nlohmann::json pareto_json(const CampaignSpec& spec, const std::vector<ParetoPoint>& front) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& p : front) {
    nlohmann::json objectives = nlohmann::json::object();
    for (std::size_t i = 0; i < p.values.size(); ++i) objectives[spec.objectives.metrics[i].name] = p.values[i];
    out.push_back({{"trial", p.trial}, {"level", p.level}, {"objectives", objectives}, {"params", to_json(p.config)}});
  }
  return out;
}

}  // namespace rungs::campaign
