#pragma once
// UTF-8 validity, byte by byte (RFC 3629: no overlong forms, no surrogates, nothing above
// U+10FFFF), for the places that must refuse or escape what is not text.
#include <cstddef>
#include <string_view>

namespace rungs::text {

// Length (1-4) of the valid UTF-8 sequence that starts at text[i], or 0 if none does.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);

}  // namespace rungs::text
