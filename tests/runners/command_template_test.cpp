// Command templates: placeholder substitution, dropped inactive elements, brace escapes.
#include <doctest/doctest.h>

#include <stdexcept>

#include "runners/command_template.hpp"

using rungs::runners::expand;
using rungs::runners::placeholders_of;
using Argv = std::vector<std::string>;

TEST_CASE("runners/template: whole-element and embedded placeholders are substituted") {
  const Argv tmpl = {"python3", "train.py", "{lr}", "--epochs={epochs}", "{trial_dir}/ckpt",
                     "{a}{b}"};
  const auto argv = expand(tmpl, {{"lr", "0.01"},
                                  {"epochs", "9"},
                                  {"trial_dir", "/runs/t7"},
                                  {"a", "x"},
                                  {"b", "y"}});
  CHECK(argv == Argv{"python3", "train.py", "0.01", "--epochs=9", "/runs/t7/ckpt", "xy"});
}

TEST_CASE("runners/template: values are inserted literally, one element each") {
  const auto argv = expand({"prog", "{v}", "--opt={v}"}, {{"v", "; rm -rf /tmp/x"}});
  REQUIRE(argv.size() == 3);
  CHECK(argv[1] == "; rm -rf /tmp/x");
  CHECK(argv[2] == "--opt=; rm -rf /tmp/x");
  // A value that looks like a placeholder is not expanded again.
  CHECK(expand({"{v}"}, {{"v", "{w}"}}) == Argv{"{w}"});
  CHECK(expand({"{v}"}, {{"v", ""}}) == Argv{""});  // an empty value stays an element
}

TEST_CASE("runners/template: elements mentioning an inactive parameter are dropped") {
  const Argv tmpl = {"prog", "--momentum={momentum}", "--lr={lr}", "{momentum}", "tail"};
  const auto argv = expand(tmpl, {{"lr", "0.1"}}, {"momentum"});
  CHECK(argv == Argv{"prog", "--lr=0.1", "tail"});
  // `absent` wins over a value given for the same name.
  CHECK(expand({"a={x}"}, {{"x", "1"}}, {"x"}).empty());
}

TEST_CASE("runners/template: an unknown placeholder throws naming it") {
  try {
    expand({"prog", "--lr={learning_rate}"}, {{"lr", "0.1"}});
    FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()).find("{learning_rate}") != std::string::npos);
  }
  // Dropping an element does not hide an unknown name next to an absent one.
  CHECK_THROWS_AS(expand({"{gone}{typo}"}, {}, {"gone"}), std::invalid_argument);
}

TEST_CASE("runners/template: doubled braces are literal braces") {
  const auto argv = expand({"--json={{\"lr\": {lr}}}", "{{lr}}", "}}{{"}, {{"lr", "0.5"}});
  CHECK(argv == Argv{"--json={\"lr\": 0.5}", "{lr}", "}{"});
  CHECK(placeholders_of({"{{lr}}", "{{{lr}}}"}) == Argv{"lr"});
  CHECK(expand({"{{{lr}}}"}, {{"lr", "3"}}) == Argv{"{3}"});
}

TEST_CASE("runners/template: malformed templates are rejected") {
  for (const std::string bad : {"{lr", "lr}", "{}", "{two words}", "a{b{c}}", "{x}}"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(placeholders_of({bad}), std::invalid_argument);
    CHECK_THROWS_AS(expand({bad}, {{"lr", "1"}, {"x", "1"}, {"c", "1"}}), std::invalid_argument);
  }
}

TEST_CASE("runners/template: placeholders_of lists each name once, in order") {
  const Argv tmpl = {"prog", "--lr={lr}", "{trial_dir}/x", "{lr}", "{model.depth}", "{b-2}"};
  CHECK(placeholders_of(tmpl) == Argv{"lr", "trial_dir", "model.depth", "b-2"});
  CHECK(placeholders_of({"plain", "args"}).empty());
}
