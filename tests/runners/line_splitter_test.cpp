// LineSplitter: lines and their offsets do not depend on how the stream is cut into reads;
// CRLF, overlong lines, a last line without a newline.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "runners/line_splitter.hpp"

using rungs::runners::LineSplitter;

namespace {

using Lines = std::vector<std::pair<std::string, std::uint64_t>>;

// Feeds `text` in pieces of `chunk` bytes (0: all at once), then finishes.
Lines split(const std::string& text, std::size_t max, std::size_t chunk, std::uint64_t start = 0) {
  LineSplitter splitter(max, start);
  Lines lines;
  const auto collect = [&](std::string_view line, std::uint64_t end) {
    lines.emplace_back(std::string(line), end);
    return true;
  };
  const std::size_t step = chunk == 0 ? text.size() : chunk;
  for (std::size_t at = 0; at < text.size(); at += step) {
    REQUIRE(splitter.feed(std::string_view(text).substr(at, step), collect));
  }
  REQUIRE(splitter.finish(collect));
  CHECK(splitter.offset() == start + text.size());
  return lines;
}

}  // namespace

TEST_CASE("line splitter: lines with the offset just past each, whatever the read sizes") {
  const std::string text = "a\r\nbb\n\nccc\r\nlast";
  const Lines expected = {{"a", 3}, {"bb", 6}, {"", 7}, {"ccc", 12}, {"last", 16}};
  for (std::size_t chunk = 0; chunk <= text.size(); ++chunk) {
    CAPTURE(chunk);
    CHECK(split(text, 100, chunk) == expected);
  }
  // From a recorded offset: the same lines, offsets counted in the file.
  CHECK(split("x\ny\n", 100, 0, 1000) == Lines{{"x", 1002}, {"y", 1004}});
  CHECK(split("", 100, 0).empty());
  CHECK(split("\r\n", 100, 0) == Lines{{"", 2}});
}

TEST_CASE("line splitter: an overlong line is cut at the cap, its rest dropped") {
  const std::string text = "0123456789\nabcdefghijklmnop\nxyz\n0123";
  // The cut line ends where it was cut; the next line is intact.
  const Lines expected = {{"01234", 5}, {"abcde", 16}, {"xyz", 32}, {"0123", 36}};
  for (std::size_t chunk = 0; chunk <= text.size(); ++chunk) {
    CAPTURE(chunk);
    CHECK(split(text, 5, chunk) == expected);
  }
  // Exactly at the cap is not cut; a last line over the cap is cut once, nothing at finish.
  CHECK(split("12345\n", 5, 0) == Lines{{"12345", 6}});
  CHECK(split("1234567", 5, 3) == Lines{{"12345", 5}});
  // Following again from the offset of a cut delivers the rest of that line.
  CHECK(split("56789\nxyz\n", 5, 0, 5) == Lines{{"56789", 11}, {"xyz", 15}});
}

TEST_CASE("line splitter: a callback that returns false stops the feed") {
  LineSplitter splitter(100);
  int calls = 0;
  CHECK_FALSE(splitter.feed("a\nb\nc\n", [&](std::string_view, std::uint64_t) { return ++calls < 2; }));
  CHECK(calls == 2);
}
