#pragma once
// Which optimizer proposes configurations, with its settings, as a type: the ask/tell Study
// takes it, and a campaign's `optimizer:` section (campaign/yaml_optimizer.hpp) is read into
// it. study/factory.hpp builds the optimizer.
//
//   OptimizerSettings random = RandomSearchSettings{};
//   OptimizerSettings bohb = optimizers::TpeSettings{.top_n_percent = 15};
//   OptimizerSettings gp = optimizers::GpSettings{.acquisition = optimizers::GpAcquisition::expected_improvement};
//
// Every setting defaults to its paper's value (optimizers/tpe/tpe_settings.hpp,
// optimizers/gp/gp_settings.hpp); the optimizer's constructor rejects a bad one.
#include <optional>
#include <string_view>
#include <variant>

#include "optimizers/gp/gp_settings.hpp"
#include "optimizers/tpe/tpe_settings.hpp"

namespace rungs::study {

// Random search (optimizers/random_search.hpp) has nothing to set.
struct RandomSearchSettings {};

using OptimizerSettings = std::variant<RandomSearchSettings, optimizers::TpeSettings, optimizers::GpSettings>;

// "random", "tpe", "gp": the names campaign files and messages use.
std::string_view optimizer_name(const OptimizerSettings& settings);
// The optimizer of that name with default settings; nullopt for an unknown name.
std::optional<OptimizerSettings> optimizer_named(std::string_view name);

}  // namespace rungs::study
