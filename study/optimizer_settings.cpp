#include "study/optimizer_settings.hpp"

namespace rungs::study {

std::string_view optimizer_name(const OptimizerSettings& settings) {
  struct Name {
    std::string_view operator()(const RandomSearchSettings&) const { return "random"; }
    std::string_view operator()(const optimizers::TpeSettings&) const { return "tpe"; }
    std::string_view operator()(const optimizers::GpSettings&) const { return "gp"; }
  };
  return std::visit(Name{}, settings);
}

std::optional<OptimizerSettings> optimizer_named(std::string_view name) {
  if (name == "random") return RandomSearchSettings{};
  if (name == "tpe") return optimizers::TpeSettings{};
  if (name == "gp") return optimizers::GpSettings{};
  return std::nullopt;
}

}  // namespace rungs::study
