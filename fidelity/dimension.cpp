#include "fidelity/dimension.hpp"

#include <charconv>
#include <cmath>
#include <string>

#include "fidelity/custom_dimension.hpp"

namespace rungs::fidelity {

std::string env_name(const Dimension& dimension) {
  if (!dimension.env.empty()) return dimension.env;
  std::string name = "RUNGS_BUDGET_";
  for (const char c : dimension.name) name += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  return name;
}

std::string format_value(const Dimension& dimension, double value) {
  if (const auto* custom = std::get_if<Custom>(&dimension.mapping); custom && custom->dimension)
    return custom->dimension->format(value);
  if (dimension.integer) return std::to_string(std::llround(value));
  // As JSON writes a double (RUNGS_BUDGET): shortest round-trip form, ".0" on whole numbers.
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string text(buffer, result.ptr);
  if (std::isfinite(value) && text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

}  // namespace rungs::fidelity
