#include "campaign/did_you_mean.hpp"

#include <fmt/format.h>

#include "space/checks.hpp"

namespace rungs::campaign {

std::string closest_word(std::string_view word, const std::vector<std::string_view>& candidates, std::size_t max_edits) {
  std::string_view best;
  std::size_t best_distance = max_edits + 1;
  for (const auto candidate : candidates) {
    const auto distance = space::checks::edit_distance(word, candidate);
    if (distance < best_distance) best = candidate, best_distance = distance;
  }
  return std::string(best);
}

std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates, std::string_view noun) {
  const auto best = closest_word(word, candidates);
  if (!best.empty()) return fmt::format("did you mean '{}'?", best);
  return fmt::format("{}: {}", noun, fmt::join(candidates, ", "));
}

}  // namespace rungs::campaign
