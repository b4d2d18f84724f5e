#pragma once
// A word of a command rungs prints for the user to paste (`rungs resume runs/my campaign`):
// quoted so that a POSIX shell reads it back as one word, whatever it holds. Unchanged when it
// holds only characters no shell treats specially (letters, digits, _ . / - : = + , @ %),
// else in single quotes, a ' inside written as '\''.
#include <string>
#include <string_view>

namespace rungs::text {

std::string shell_word(std::string_view word);

}  // namespace rungs::text
