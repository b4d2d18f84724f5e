#include "text/shell_word.hpp"

namespace rungs::text {

std::string shell_word(std::string_view word) {
  constexpr std::string_view plain_characters =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-:=+,@%";
  if (!word.empty() && word.find_first_not_of(plain_characters) == std::string_view::npos) return std::string(word);
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') quoted += "'\\''";  // close the quotes, an escaped ', open them again
    else quoted += c;
  }
  return quoted + "'";
}

}  // namespace rungs::text
