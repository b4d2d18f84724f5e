// "did you mean" hints: the YAML reader's unknown keys and the CLI's unknown commands.
#include <doctest/doctest.h>

#include "campaign/did_you_mean.hpp"

using rungs::campaign::closest_word;
using rungs::campaign::did_you_mean;

TEST_CASE("closest_word: within two edits, the first of equally close ones, nothing farther") {
  const std::vector<std::string_view> commands = {"run", "simulate", "resume", "status", "report", "export", "validate"};
  CHECK(closest_word("stauts", commands) == "status");  // a swapped pair: two substitutions
  CHECK(closest_word("statu", commands) == "status");
  CHECK(closest_word("rn", commands) == "run");
  CHECK(closest_word("exprot", commands) == "export");
  CHECK(closest_word("resum", commands) == "resume");
  CHECK(closest_word("deploy", commands).empty());
  CHECK(closest_word("", commands).empty());
  CHECK(closest_word("status", commands) == "status");
  CHECK(closest_word("ab", {"ax", "xb"}) == "ax");  // a tie: the first
  CHECK(closest_word("abcd", {"abxy"}, 1).empty());
  CHECK(closest_word("abcd", {"abxy"}, 2) == "abxy");
  CHECK(closest_word("x", {}).empty());
}

TEST_CASE("did_you_mean: the suggestion, or the names known") {
  CHECK(did_you_mean("stauts", {"run", "status"}, "commands") == "did you mean 'status'?");
  CHECK(did_you_mean("zzzzzz", {"run", "status"}, "commands") == "commands: run, status");
}
