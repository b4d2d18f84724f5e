#pragma once
// Text that came from outside (a trial's report keys and values, parameter names from a YAML
// file, a campaign name) made safe to print on a terminal. A report key holding an escape
// sequence (ESC [ 2 J, OSC 52 to write the clipboard, a title change) would otherwise act on
// the user's terminal when `rungs run` or `rungs status` prints it.
//
// Escaped, as \xNN (bytes) or \u{NNNN} (code points): C0 controls (U+0000-U+001F, newline and
// tab included: a printed value stays on its line), DEL (U+007F), C1 controls (U+0080-U+009F,
// which some terminals take as CSI/OSC), and every byte that is not part of valid UTF-8. A
// backslash is kept as it is. Everything else, printable Unicode included, passes unchanged.
#include <string>
#include <string_view>

namespace rungs::text {

std::string safe_text(std::string_view text);

}  // namespace rungs::text
