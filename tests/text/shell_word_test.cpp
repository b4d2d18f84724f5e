// Words of the commands rungs prints are read back by a shell as they were meant
// (text/shell_word.hpp): checked against /bin/sh itself.
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

#include "text/shell_word.hpp"

using rungs::text::shell_word;

namespace {

// What `sh -c 'printf %s WORD'` prints for the quoted word: the shell's reading of it.
std::string read_back_by_sh(const std::string& quoted) {
  const std::string command = "/bin/sh -c " + shell_word("printf %s " + quoted);
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[256];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) out.append(buffer, n);
  ::pclose(pipe);
  return out;
}

}  // namespace

TEST_CASE("shell word: plain paths stay as they are, others are quoted so that sh reads them back") {
  CHECK(shell_word("runs/quickstart-20261203-101500") == "runs/quickstart-20261203-101500");
  CHECK(shell_word("/opt/rungs/bin/rungs") == "/opt/rungs/bin/rungs");
  CHECK(shell_word("my runs/a") == "'my runs/a'");
  CHECK(shell_word("") == "''");
  for (const std::string word : {"my runs/a", "it's", "$HOME", "a;b", "`x`", "a\"b", "*", "tab\there", "''", "-n x"}) {
    CAPTURE(word);
    CHECK(read_back_by_sh(shell_word(word)) == word);
  }
}
