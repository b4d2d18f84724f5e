#pragma once
// The rules a list of parameters must follow, used by SearchSpace's constructor. Internal to
// space/: each check throws SpaceError naming the parameter and the field to fix, with a
// message that says what is wrong and how to fix it.
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "space/parameter.hpp"

namespace rungs::space::checks {

using Index = std::map<std::string, std::size_t, std::less<>>;

// Names are identifiers and unique; returns name -> position.
Index names(const std::vector<Parameter>& parameters);

// Bounds, scales and choices of every parameter.
void domains(const std::vector<Parameter>& parameters);

// Every clause names a known, non-float parent, once, with at least one value, each
// value a value the parent can take, listed once. Converts the values to the parent's type
// in place and returns, per parameter, the index of each clause's parent.
std::vector<std::vector<std::size_t>> conditions(std::vector<Parameter>& parameters,
                                                 const Index& index);

// No cycles; returns the parameters ordered parents first, ties in the given order.
std::vector<std::size_t> sampling_order(const std::vector<Parameter>& parameters,
                                        const std::vector<std::vector<std::size_t>>& parents);

// Every parameter can be active: following its condition and its ancestors' conditions
// never asks one parameter for two disjoint sets of values.
void satisfiable(const std::vector<Parameter>& parameters,
                 const std::vector<std::vector<std::size_t>>& parents,
                 const std::vector<std::size_t>& order);

// Levenshtein distance, for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest of `candidates` within two edits of `name`, or "".
std::string closest(const std::string& name, const Index& candidates);

}  // namespace rungs::space::checks
