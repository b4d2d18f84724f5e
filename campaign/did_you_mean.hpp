#pragma once
// "did you mean ...?" hints for a mistyped name: the YAML reader's unknown keys
// (campaign/yaml_reader.cpp) and the `rungs` command's unknown subcommands (cli/main.cpp).
// Distances are Levenshtein's (space/checks.hpp, which the parameter names' hints use too).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace rungs::campaign {

// The candidate closest to `word`, if it is within `max_edits` edits (insertions, deletions,
// substitutions); the first of equally close ones; "" when none is that close. Two edits
// catch a swapped pair of letters ("stauts" -> "status") without suggesting unrelated short
// words.
std::string closest_word(std::string_view word, const std::vector<std::string_view>& candidates,
                         std::size_t max_edits = 2);

// " (did you mean 'status'?)"-style hint text: "did you mean 'X'?" when a candidate is close,
// otherwise "known: a, b, c" (`noun` names them: "known keys", "commands").
std::string did_you_mean(std::string_view word, const std::vector<std::string_view>& candidates,
                         std::string_view noun);

}  // namespace rungs::campaign
