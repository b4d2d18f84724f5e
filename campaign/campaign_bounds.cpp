#include "campaign/campaign_bounds.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <variant>
#include <vector>

#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

CampaignBounds bounds_of(const CampaignSpec& spec) {
  CampaignBounds bounds;
  bounds.limits = spec.limits;
  std::visit(
      [&bounds](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (std::is_same_v<Options, scheduler::HyperbandOptions> ||
                      std::is_same_v<Options, scheduler::SuccessiveHalvingOptions>) {
          if (options.iterations != kUnboundedIterations) bounds.iterations = options.iterations;
        } else if constexpr (std::is_same_v<Options, scheduler::FreezeThawOptions> ||
                             std::is_same_v<Options, scheduler::PbtOptions>) {
          bounds.max_trials = options.max_trials;
          bounds.max_budget = options.max_cost;
        } else {
          bounds.max_trials = options.max_trials;
          bounds.max_budget = options.max_units;
        }
      },
      spec.scheduler.kind);
  return bounds;
}

void set_bounds(CampaignSpec& spec, const CampaignBounds& bounds) {
  spec.limits = bounds.limits;
  std::visit(
      [&bounds](auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (std::is_same_v<Options, scheduler::HyperbandOptions> ||
                      std::is_same_v<Options, scheduler::SuccessiveHalvingOptions>) {
          options.iterations = bounds.iterations.value_or(bounds.limits.any() ? kUnboundedIterations : 1);
        } else if constexpr (std::is_same_v<Options, scheduler::FreezeThawOptions> ||
                             std::is_same_v<Options, scheduler::PbtOptions>) {
          options.max_trials = bounds.max_trials;
          options.max_cost = bounds.max_budget;
        } else {
          options.max_trials = bounds.max_trials;
          options.max_units = bounds.max_budget;
        }
      },
      spec.scheduler.kind);
}

study::SchedulerSettings scheduler_settings(const CampaignSpec& spec) {
  study::SchedulerSettings settings = spec.scheduler;
  const auto& limits = spec.limits;
  std::visit(
      [&limits](auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (!std::is_same_v<Options, scheduler::HyperbandOptions> &&
                      !std::is_same_v<Options, scheduler::SuccessiveHalvingOptions>) {
          options.limited_outside = limits.cost || limits.wall;
          // limits.trials counts new configurations, as max_trials does: made the scheduler's
          // own limit, so that promotions go on once no new trial may start.
          if (limits.trials && (!options.max_trials || *limits.trials < *options.max_trials))
            options.max_trials = limits.trials;
        }
      },
      settings.kind);
  return settings;
}

namespace {

template <typename T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json();
}

template <typename T>
std::optional<T> read(const nlohmann::json& json, const char* key) {
  const auto found = json.find(key);
  if (found == json.end() || found->is_null()) return std::nullopt;
  return found->get<T>();
}

}  // namespace

nlohmann::json to_json(const CampaignBounds& b) {
  return {{"cost", or_null(b.limits.cost)},       {"wall", or_null(b.limits.wall)},
          {"trials", or_null(b.limits.trials)},   {"iterations", or_null(b.iterations)},
          {"max_trials", or_null(b.max_trials)},  {"max_budget", or_null(b.max_budget)}};
}

CampaignBounds bounds_from_json(const nlohmann::json& json) {
  CampaignBounds b;
  b.limits.cost = read<double>(json, "cost");
  b.limits.wall = read<double>(json, "wall");
  b.limits.trials = read<std::size_t>(json, "trials");
  b.iterations = read<std::size_t>(json, "iterations");
  b.max_trials = read<std::size_t>(json, "max_trials");
  b.max_budget = read<double>(json, "max_budget");
  return b;
}

std::string describe_wall(double seconds) {
  if (seconds >= 3600 && std::fmod(seconds, 3600) == 0) return fmt::format("{:g}h", seconds / 3600);
  if (seconds >= 60 && std::fmod(seconds, 60) == 0) return fmt::format("{:g}m", seconds / 60);
  return fmt::format("{:g}s", seconds);
}

std::string describe_bounds(const CampaignBounds& b) {
  std::vector<std::string> parts;
  if (b.limits.cost) parts.push_back(fmt::format("cost {:g}", *b.limits.cost));
  if (b.limits.wall) parts.push_back("wall " + describe_wall(*b.limits.wall));
  if (b.limits.trials) parts.push_back(fmt::format("trials {}", *b.limits.trials));
  if (b.iterations && *b.iterations != kUnboundedIterations) parts.push_back(fmt::format("iterations {}", *b.iterations));
  if (b.max_trials) parts.push_back(fmt::format("max_trials {}", *b.max_trials));
  if (b.max_budget) parts.push_back(fmt::format("max_budget {:g}", *b.max_budget));
  return parts.empty() ? "" : fmt::format("Limits: {}", fmt::join(parts, ", "));
}

std::optional<Shrink> shrink_of(const CampaignBounds& was, const CampaignBounds& now) {
  std::optional<Shrink> found;
  const auto check = [&found](const std::string& key, const auto& before, const auto& after) {
    if (found || !before) return;
    if (!after) return;  // no limit any more: as large as can be (the loader checks one remains)
    if (*after < *before)
      found = Shrink{key, fmt::format("may only grow (was {:g}, now {:g}): a campaign keeps what it spent; "
                                      "start a new campaign with another --output for a smaller one",
                                      static_cast<double>(*before), static_cast<double>(*after))};
  };
  check("limits.cost", was.limits.cost, now.limits.cost);
  check("limits.wall", was.limits.wall, now.limits.wall);
  check("limits.trials", was.limits.trials, now.limits.trials);
  // iterations none = unbounded (a limit stops it) unless the campaign had none at all.
  if (was.iterations && !now.iterations && !now.limits.any())
    found = found ? found : std::optional<Shrink>(Shrink{"scheduler.iterations", "was set: keep it, or raise it"});
  check("scheduler.iterations", was.iterations, now.iterations);
  check("scheduler.max_trials", was.max_trials, now.max_trials);
  check("scheduler.max_budget", was.max_budget, now.max_budget);
  return found;
}

}  // namespace rungs::campaign
