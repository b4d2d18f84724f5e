#pragma once
// Which scheduler decides what runs at which budget, with its settings, and an optional
// stopping rule, as types: the ask/tell Study takes them, and a campaign's `scheduler:`
// section (campaign/yaml_scheduler.hpp) is read into them. study/factory.hpp builds the
// scheduler. The alternatives are the schedulers' own option structs:
//
//   SchedulerSettings hyperband{scheduler::HyperbandOptions{.iterations = 2}};
//   SchedulerSettings sh{scheduler::SuccessiveHalvingOptions{.bracket = 1}};
//   SchedulerSettings asha{scheduler::AshaOptions{.max_trials = 200}};      // a limit is required
//   SchedulerSettings ft{scheduler::FreezeThawOptions{.max_cost = 5200}};   // likewise
//   SchedulerSettings pbt{scheduler::PbtOptions{.population = 8, .interval = 4}};
//   SchedulerSettings stopped{scheduler::HyperbandOptions{}, scheduler::MedianStoppingOptions{}};
#include <optional>
#include <string_view>
#include <variant>

#include "scheduler/asha.hpp"
#include "scheduler/curve_extrapolation.hpp"
#include "scheduler/freeze_thaw.hpp"
#include "scheduler/hyperband.hpp"
#include "scheduler/median_stopping.hpp"
#include "scheduler/pbt.hpp"

namespace rungs::study {

using SchedulerKind = std::variant<scheduler::HyperbandOptions, scheduler::SuccessiveHalvingOptions,
                                   scheduler::AshaOptions, scheduler::AsyncHyperbandOptions, scheduler::FreezeThawOptions,
                                   scheduler::PbtOptions>;

// CurveExtrapolationOptions::final_step 0 means the ladder's final milestone
// (scheduler::final_milestone), which is what a campaign's `stopping_rule:` always uses.
using StoppingRuleSettings = std::variant<scheduler::MedianStoppingOptions, scheduler::CurveExtrapolationOptions>;

struct SchedulerSettings {
  SchedulerKind kind = scheduler::HyperbandOptions{};
  std::optional<StoppingRuleSettings> stopping_rule = std::nullopt;
};

// "hyperband", "successive_halving", "asha", "async_hyperband", "freeze_thaw", "pbt": the names campaign files and
// messages use.
std::string_view scheduler_name(const SchedulerKind& kind);
// The scheduler of that name with default options; nullopt for an unknown name. (ASHA's
// defaults have no limit yet: set max_trials or max_units.)
std::optional<SchedulerKind> scheduler_named(std::string_view name);
// ASHA, asynchronous Hyperband, freeze-thaw and PBT: no fixed schedule of brackets.
bool asynchronous(const SchedulerKind& kind);

// "median", "extrapolation".
std::string_view stopping_rule_name(const StoppingRuleSettings& rule);

}  // namespace rungs::study
