#include "campaign/campaign_growth.hpp"

#include <fmt/format.h>

#include <stdexcept>
#include <variant>

#include "campaign/campaign_directory.hpp"
#include "scheduler/async_bracket_scheduler.hpp"
#include "scheduler/bracket_scheduler.hpp"
#include "scheduler/freeze_thaw.hpp"
#include "scheduler/pbt.hpp"
#include "scheduler/stopping_rule.hpp"

namespace rungs::campaign {

CampaignBounds recorded_bounds(const CampaignSpec& spec, const store::CampaignStore& store) {
  if (const auto growth = store.first_with(store::EventKind::Resume, "grown"))
    return bounds_from_json(growth->data["grown"]["from"]);
  if (store.info().campaign_yaml.empty()) return bounds_of(spec);
  try {
    return bounds_of(stored_spec(store));
  } catch (const ConfigError&) {
    return bounds_of(spec);  // the resume command reports a recorded YAML that no longer reads
  }
}

CampaignSpec as_started(const CampaignSpec& spec, const store::CampaignStore& store) {
  CampaignSpec started = spec;
  set_bounds(started, recorded_bounds(spec, store));
  return started;
}

void grow_scheduler(scheduler::Scheduler& scheduler, const CampaignSpec& grown) {
  scheduler::Scheduler* inner = &scheduler;
  while (auto* wrapped = dynamic_cast<scheduler::WithStoppingRule*>(inner)) inner = &wrapped->inner();
  const auto settings = scheduler_settings(grown);
  std::visit(
      [inner, &grown](const auto& options) {
        using Options = std::decay_t<decltype(options)>;
        if constexpr (std::is_same_v<Options, scheduler::HyperbandOptions> ||
                      std::is_same_v<Options, scheduler::SuccessiveHalvingOptions>) {
          auto* brackets = dynamic_cast<scheduler::BracketScheduler*>(inner);
          if (!brackets) throw std::logic_error("grow_scheduler: not a bracket scheduler");
          const std::size_t per_iteration =
              std::is_same_v<Options, scheduler::HyperbandOptions> ? grown.ladder.levels() : 1;
          brackets->extend(options.iterations * per_iteration);
        } else if constexpr (std::is_same_v<Options, scheduler::FreezeThawOptions>) {
          auto* freeze_thaw = dynamic_cast<scheduler::FreezeThaw*>(inner);
          if (!freeze_thaw) throw std::logic_error("grow_scheduler: not a freeze_thaw scheduler");
          freeze_thaw->raise_limits(options.max_trials, options.max_cost, options.limited_outside);
        } else if constexpr (std::is_same_v<Options, scheduler::PbtOptions>) {
          auto* pbt = dynamic_cast<scheduler::Pbt*>(inner);
          if (!pbt) throw std::logic_error("grow_scheduler: not a pbt scheduler");
          pbt->raise_limits(options.max_trials, options.max_cost, options.limited_outside);
        } else {
          auto* asynchronous = dynamic_cast<scheduler::AsyncBracketScheduler*>(inner);
          if (!asynchronous) throw std::logic_error("grow_scheduler: not an asynchronous scheduler");
          asynchronous->raise_limits({options.max_trials, options.max_units, options.limited_outside});
        }
      },
      settings.kind);
}

}  // namespace rungs::campaign
