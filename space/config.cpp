#include "space/config.hpp"

#include <fmt/format.h>

namespace rungs::space {

// fmt's "{}" prints the shortest text that reads back as the same double (0.001, not
// 0.0010000000000000000208), so a trial sees what a human would write and parsing the argv
// value recovers the exact sampled number.
std::string to_string(const Value& value) {
  if (const auto* x = std::get_if<std::int64_t>(&value)) return fmt::format("{}", *x);
  if (const auto* x = std::get_if<double>(&value)) return fmt::format("{}", *x);
  return std::get<std::string>(value);
}

}  // namespace rungs::space
