#include "campaign/yaml_limits.hpp"

#include <fmt/format.h>

#include <cmath>

namespace rungs::campaign {

LimitSettings read_limits(const YamlNode& node) {
  node.expect_keys({"cost", "wall", "trials"});
  LimitSettings limits;
  if (auto cost = node.find("cost")) {
    limits.cost = cost->as_double();
    if (!(*limits.cost > 0) || !std::isfinite(*limits.cost))
      cost->fail(fmt::format("must be a positive number in the budget's cost units, got {}", *limits.cost));
  }
  if (auto wall = node.find("wall")) {
    const auto duration = read_duration(*wall);
    if (duration.count() <= 0) wall->fail("must be a positive duration such as 90m or 48h");
    limits.wall = static_cast<double>(duration.count()) / 1000;
  }
  if (auto trials = node.find("trials")) {
    const auto count = trials->as_int();
    if (count < 1) trials->fail(fmt::format("must be at least 1, got {}", count));
    limits.trials = static_cast<std::size_t>(count);
  }
  if (!limits.any()) node.fail("give at least one of cost, wall, trials");
  return limits;
}

void read_campaign_limits(CampaignSpec& spec, const YamlNode& root) {
  if (auto limits = root.find("limits")) spec.limits = read_limits(*limits);
  const auto scheduler = root.find("scheduler");
  const bool iterations_given = scheduler && scheduler->has("iterations");
  auto bounds = bounds_of(spec);
  if (study::asynchronous(spec.scheduler.kind)) {
    // PBT ends by itself: its population reaches the top of the budget.
    const bool ends_by_itself = std::holds_alternative<scheduler::PbtOptions>(spec.scheduler.kind);
    if (!ends_by_itself && !bounds.max_trials && !bounds.max_budget && !spec.limits.any())
      (scheduler ? *scheduler : root)
          .fail(fmt::format("{} needs a limit: limits: {{cost, wall, trials}} (or max_trials / max_budget)",
                            study::scheduler_name(spec.scheduler.kind)));
    return;
  }
  if (!iterations_given) bounds.iterations.reset();  // set_bounds: unbounded with a limit, else 1
  set_bounds(spec, bounds);
}

}  // namespace rungs::campaign
