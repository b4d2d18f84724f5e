#include "text/safe_text.hpp"

#include <fmt/format.h>

#include "text/utf8.hpp"

namespace rungs::text {

std::string safe_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    const std::size_t length = utf8_sequence_length(text, i);
    if (length == 0) {
      out += fmt::format("\\x{:02X}", lead);
      ++i;
    } else if (length == 1 && (lead < 0x20 || lead == 0x7F)) {
      out += fmt::format("\\x{:02X}", lead);
      ++i;
    } else if (length == 2 && lead == 0xC2 && static_cast<unsigned char>(text[i + 1]) < 0xA0) {
      out += fmt::format("\\u{{{:04X}}}", static_cast<unsigned char>(text[i + 1]));  // C1: U+0080-U+009F
      i += 2;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace rungs::text
