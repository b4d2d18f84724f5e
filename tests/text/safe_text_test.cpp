// Text from trials and files is printed without its control sequences (text/safe_text.hpp).
#include <doctest/doctest.h>

#include "text/safe_text.hpp"

using rungs::text::safe_text;

TEST_CASE("safe text: escape sequences, controls and broken UTF-8 are shown, not obeyed") {
  CHECK(safe_text("val_loss") == "val_loss");
  CHECK(safe_text("\x1b[2J\x1b]52;c;aGk=\x07") == "\\x1B[2J\\x1B]52;c;aGk=\\x07");
  CHECK(safe_text("a\nb\tc\rd") == "a\\x0Ab\\x09c\\x0Dd");
  CHECK(safe_text(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(safe_text("del\x7f") == "del\\x7F");
  CHECK(safe_text("csi\xc2\x9b" "2J") == "csi\\u{009B}2J");       // C1 CSI as UTF-8
  CHECK(safe_text("latin1 caf\xe9") == "latin1 caf\\xE9");         // not UTF-8
  CHECK(safe_text("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x93\x88") == "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x93\x88");
  CHECK(safe_text("back\\slash") == "back\\slash");
}
