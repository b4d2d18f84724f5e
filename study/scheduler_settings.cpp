#include "study/scheduler_settings.hpp"

namespace rungs::study {

std::string_view scheduler_name(const SchedulerKind& kind) {
  struct Name {
    std::string_view operator()(const scheduler::HyperbandOptions&) const { return "hyperband"; }
    std::string_view operator()(const scheduler::SuccessiveHalvingOptions&) const { return "successive_halving"; }
    std::string_view operator()(const scheduler::AshaOptions&) const { return "asha"; }
    std::string_view operator()(const scheduler::AsyncHyperbandOptions&) const { return "async_hyperband"; }
    std::string_view operator()(const scheduler::FreezeThawOptions&) const { return "freeze_thaw"; }
    std::string_view operator()(const scheduler::PbtOptions&) const { return "pbt"; }
  };
  return std::visit(Name{}, kind);
}

std::optional<SchedulerKind> scheduler_named(std::string_view name) {
  if (name == "hyperband") return scheduler::HyperbandOptions{};
  if (name == "successive_halving") return scheduler::SuccessiveHalvingOptions{};
  if (name == "asha") return scheduler::AshaOptions{};
  if (name == "async_hyperband") return scheduler::AsyncHyperbandOptions{};
  if (name == "freeze_thaw") return scheduler::FreezeThawOptions{};
  if (name == "pbt") return scheduler::PbtOptions{};
  return std::nullopt;
}

bool asynchronous(const SchedulerKind& kind) {
  return std::holds_alternative<scheduler::AshaOptions>(kind) ||
         std::holds_alternative<scheduler::AsyncHyperbandOptions>(kind) ||
         std::holds_alternative<scheduler::FreezeThawOptions>(kind) ||
         std::holds_alternative<scheduler::PbtOptions>(kind);
}

std::string_view stopping_rule_name(const StoppingRuleSettings& rule) {
  return std::holds_alternative<scheduler::MedianStoppingOptions>(rule) ? "median" : "extrapolation";
}

}  // namespace rungs::study
