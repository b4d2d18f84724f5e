#pragma once
// Builds an optimizer and a scheduler from typed settings (study/optimizer_settings.hpp,
// study/scheduler_settings.hpp). The ask/tell Study and the campaigns (campaign/factory.hpp,
// for `rungs run`, `rungs simulate` and their tests) all build through here, so
// "hyperband + tpe" means the same thing everywhere.
#include <cstdint>
#include <memory>

#include "fidelity/ladder.hpp"
#include "optimizers/optimizer.hpp"
#include "scheduler/scheduler.hpp"
#include "space/search_space.hpp"
#include "study/optimizer_settings.hpp"
#include "study/scheduler_settings.hpp"

namespace rungs::study {

// The optimizer over `space`, seeded. Throws std::invalid_argument for bad settings.
std::unique_ptr<optimizers::Optimizer> make_optimizer(const OptimizerSettings& settings,
                                                      const space::SearchSpace& space, std::uint64_t seed);

// The scheduler over `ladder`, owning a new optimizer (`optimizer`, over `space`, seeded), and
// wrapped in its stopping rule when there is one. Throws std::invalid_argument for bad
// settings (e.g. ASHA without a limit, a bracket beyond s_max).
std::unique_ptr<scheduler::Scheduler> make_scheduler(const SchedulerSettings& settings, const OptimizerSettings& optimizer,
                                                     const space::SearchSpace& space,
                                                     const fidelity::BudgetLadder& ladder, std::uint64_t seed);

// The same around an optimizer built by the caller (e.g. wrapped in optimizers::StartQueue).
// `space` and `seed` are the optimizer's: freeze_thaw's curve model encodes configurations
// and seeds its networks and candidate draws with them.
std::unique_ptr<scheduler::Scheduler> make_scheduler(const SchedulerSettings& settings,
                                                     std::unique_ptr<optimizers::Optimizer> optimizer,
                                                     const fidelity::BudgetLadder& ladder,
                                                     const space::SearchSpace& space, std::uint64_t seed);

}  // namespace rungs::study
