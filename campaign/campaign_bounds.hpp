#pragma once
// How much a campaign may spend, as the campaign file says it: `limits:` (any of cost, wall,
// trials, for every scheduler) and the schedulers' own bounds (Hyperband's and successive
// halving's `iterations`, ASHA's `max_trials` and `max_budget`). The campaign loop stops
// launching at these (campaign/dispatcher_limits.cpp); a campaign may be grown by raising any
// of them (campaign/campaign_growth.hpp), never lowered.
//
//   limits:
//     cost: 5200     # in the ladder's cost units (budget.cost: epochs, epochs x fraction, ...):
//                    # the sum of what the runs are charged (fidelity/run_cost.hpp); a run is
//                    # not launched when spent + its charge would exceed it
//     wall: 48h      # campaign time (what it ran, not while it was stopped; virtual in a
//                    # simulation): at the limit the runs out are stopped, as on Ctrl-C
//     trials: 1000   # new configurations
#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "study/scheduler_settings.hpp"

namespace rungs::campaign {

struct CampaignSpec;

struct LimitSettings {
  std::optional<double> cost;
  std::optional<double> wall;  // seconds
  std::optional<std::size_t> trials;
  bool any() const { return cost || wall || trials; }
  bool operator==(const LimitSettings&) const = default;
};

// Everything a growth may raise. iterations: synchronous schedulers only (none: unbounded,
// when a limit stops the campaign); max_trials, max_budget: asynchronous ones.
struct CampaignBounds {
  LimitSettings limits;
  std::optional<std::size_t> iterations;
  std::optional<std::size_t> max_trials;
  std::optional<double> max_budget;
  bool operator==(const CampaignBounds&) const = default;
};

// The iterations of a synchronous schedule that only `limits:` stops: runs brackets until
// a limit is reached.
inline constexpr std::size_t kUnboundedIterations = 1'000'000'000;

CampaignBounds bounds_of(const CampaignSpec& spec);
// `spec` with `bounds` in place of its own (the scheduler settings are updated too).
void set_bounds(CampaignSpec& spec, const CampaignBounds& bounds);

// The scheduler's settings for `spec`, its limits folded in: an asynchronous scheduler takes
// limits.trials as max_trials (the smaller one), and needs no limit of its own when cost or
// wall stop the campaign (AsyncLimits::limited_outside). campaign/factory.cpp builds with it.
study::SchedulerSettings scheduler_settings(const CampaignSpec& spec);

nlohmann::json to_json(const CampaignBounds& bounds);
CampaignBounds bounds_from_json(const nlohmann::json& json);

// Why `now` is not `was` grown (a bound lowered, or one removed that `was` had... removing
// one is growing it to none, which is allowed only for a bound another one backs up), or
// none when every bound is the same or larger. `key` names the bound for messages, e.g.
// "limits.cost".
struct Shrink {
  std::string key;
  std::string message;
};
std::optional<Shrink> shrink_of(const CampaignBounds& was, const CampaignBounds& now);

// "cost 5200", "wall 48h", "trials 1000": for messages.
std::string describe_wall(double seconds);

// One line for `rungs status`: "Limits: cost 5200, wall 48h, trials 1000" and the scheduler's
// own bounds ("iterations 3", "max_trials 200", "max_budget 900"); empty when there are none.
std::string describe_bounds(const CampaignBounds& bounds);

}  // namespace rungs::campaign
