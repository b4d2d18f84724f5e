#pragma once
// A configuration: one value per *active* parameter of a search space.
// Inactive parameters (their condition does not hold) are absent, never defaulted.
#include <cstdint>
#include <map>
#include <string>
#include <variant>

namespace rungs::space {

// int for integer parameters, double for float parameters, string for categorical choices.
using Value = std::variant<std::int64_t, double, std::string>;

// Ordered by name so that printing, hashing and JSON output are deterministic.
using Config = std::map<std::string, Value>;

// "0.001", "64", "adam": the text a trial sees in argv, environment and params file.
std::string to_string(const Value& value);

}  // namespace rungs::space
