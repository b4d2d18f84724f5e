#include "space/prior.hpp"

#include <fmt/format.h>

#include <vector>

namespace rungs::space {

std::optional<Confidence> confidence_named(std::string_view name) {
  if (name == "low") return Confidence::low;
  if (name == "medium") return Confidence::medium;
  if (name == "high") return Confidence::high;
  return std::nullopt;
}

double sigma_of(Confidence confidence) {
  switch (confidence) {
    case Confidence::low: return 0.5;
    case Confidence::medium: return 0.25;
    case Confidence::high: return 0.125;
  }
  return 0.25;
}

double center_weight_of(Confidence confidence) {
  switch (confidence) {
    case Confidence::low: return 2;
    case Confidence::medium: return 4;
    case Confidence::high: return 6;
  }
  return 4;
}

ChoicePrior centered_on(const std::string& choice, Confidence confidence) {
  return ChoicePrior{{{choice, center_weight_of(confidence)}}};
}

std::string describe(const Prior& prior) {
  if (const auto* numeric = std::get_if<NumericPrior>(&prior))
    return fmt::format("center {:g}, sigma {:g}", numeric->center, numeric->sigma);
  std::vector<std::string> parts;
  for (const auto& [choice, weight] : std::get<ChoicePrior>(prior).weights)
    parts.push_back(fmt::format("{} {:g}", choice, weight));
  return fmt::format("weights {} (others 1)", fmt::join(parts, ", "));
}

}  // namespace rungs::space
