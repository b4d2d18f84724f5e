#include "problems/registry.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>

#include "problems/augmented_branin.hpp"
#include "problems/augmented_hartmann6.hpp"
#include "problems/counting_ones.hpp"

namespace rungs::problems {

const std::vector<Problem>& all() {
  static const std::vector<Problem> problems = [] {
    std::vector<Problem> list;
    list.push_back(counting_ones(4, 4));
    list.push_back(counting_ones(8, 8));
    list.push_back(augmented_branin_problem());
    list.push_back(augmented_hartmann6_problem());
    return list;
  }();
  return problems;
}

const Problem& by_name(std::string_view name) {
  for (const auto& problem : all())
    if (problem.name == name) return problem;
  throw std::invalid_argument(
      fmt::format("unknown problem '{}' (known: {})", name, fmt::join(names(), ", ")));
}

std::vector<std::string> names() {
  std::vector<std::string> list;
  for (const auto& problem : all()) list.push_back(problem.name);
  return list;
}

}  // namespace rungs::problems
