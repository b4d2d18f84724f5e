// The stdout report protocol: tagged JSON lines and the regex alternative.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "runners/report_parser.hpp"

using rungs::runners::ParseError;
using rungs::runners::ParseResult;
using rungs::runners::Report;
using rungs::runners::ReportParser;

namespace {

Report report_of(const ParseResult& result) {
  if (const auto* error = std::get_if<ParseError>(&result)) {
    FAIL("unexpected parse error: " << error->message);
  }
  REQUIRE(std::holds_alternative<Report>(result));
  return std::get<Report>(result);
}

bool not_a_report(const ParseResult& result) {
  return std::holds_alternative<std::monostate>(result);
}

bool is_error(const ParseResult& result) { return std::holds_alternative<ParseError>(result); }

}  // namespace

TEST_CASE("runners/report: a tagged JSON line gives the step and numeric metrics") {
  const ReportParser parser;
  const auto r = report_of(parser.parse(R"(@rungs {"step": 3, "val_loss": 0.41, "val_acc": 0.88})"));
  REQUIRE(r.step.has_value());
  CHECK(*r.step == 3);
  CHECK(r.metrics.size() == 2);
  CHECK(r.metrics.at("val_loss") == doctest::Approx(0.41));
  CHECK(r.metrics.at("val_acc") == doctest::Approx(0.88));
  CHECK(r.metrics.count("step") == 0);
}

TEST_CASE("runners/report: non-numeric fields are ignored, epoch is the fallback step") {
  const ReportParser parser;
  const auto r = report_of(parser.parse(
      R"(@rungs {"epoch": 2, "loss": 1, "phase": "train", "ok": true, "hist": [1, 2], "cfg": {"a": 1}})"));
  CHECK(r.step == 2);
  CHECK(r.metrics.size() == 1);
  CHECK(r.metrics.at("loss") == 1.0);
  // No step at all is fine; with both, `step` wins and `epoch` stays a metric.
  CHECK_FALSE(report_of(parser.parse(R"(@rungs {"loss": 0.5})")).step.has_value());
  const auto both = report_of(parser.parse(R"(@rungs {"step": 10, "epoch": 2})"));
  CHECK(both.step == 10);
  CHECK(both.metrics.at("epoch") == 2.0);
}

TEST_CASE("runners/report: null, nan and inf become NaN and infinities") {
  const ReportParser parser;
  const auto r = report_of(parser.parse(
      R"(@rungs {"a": null, "b": "nan", "c": "inf", "d": "-Infinity", "e": "NaN", "f": "INF"})"));
  CHECK(std::isnan(r.metrics.at("a")));
  CHECK(std::isnan(r.metrics.at("b")));
  CHECK(r.metrics.at("c") == HUGE_VAL);
  CHECK(r.metrics.at("d") == -HUGE_VAL);
  CHECK(std::isnan(r.metrics.at("e")));
  CHECK(r.metrics.at("f") == HUGE_VAL);
}

TEST_CASE("runners/report: Python's bare NaN / Infinity tokens are accepted") {
  // json.dumps({"loss": float("nan")}) writes NaN, which is not JSON.
  const ReportParser parser;
  const auto r = report_of(
      parser.parse(R"(@rungs {"step": 1, "loss": NaN, "up": Infinity, "down": -Infinity, "s": "NaN in text"})"));
  CHECK(std::isnan(r.metrics.at("loss")));
  CHECK(r.metrics.at("up") == HUGE_VAL);
  CHECK(r.metrics.at("down") == -HUGE_VAL);
  CHECK(r.metrics.count("s") == 0);  // a string that merely mentions NaN is not a number
}

TEST_CASE("runners/report: lines without the prefix are ordinary output") {
  const ReportParser parser;
  CHECK(not_a_report(parser.parse("epoch 3: loss 0.2")));
  CHECK(not_a_report(parser.parse("")));
  CHECK(not_a_report(parser.parse(R"(  @rungs {"loss": 1})")));  // must start the line
  CHECK(not_a_report(parser.parse("@rungsfoo {}")));
  CHECK(not_a_report(parser.parse(R"({"loss": 1})")));
  // Lenient on spacing after the prefix and on a trailing CR.
  CHECK(report_of(parser.parse(R"(@rungs{"loss": 1})")).metrics.at("loss") == 1.0);
  CHECK(report_of(parser.parse("@rungs    {\"loss\": 2}\r")).metrics.at("loss") == 2.0);
}

TEST_CASE("runners/report: a prefixed line with bad content is a ParseError, not a crash") {
  const ReportParser parser;
  for (const std::string bad : {"@rungs {not json", "@rungs [1, 2]", "@rungs ", "@rungs 42",
                                R"(@rungs {"step": 1.5})", R"(@rungs {"step": "three"})",
                                R"(@rungs {"step": null})", R"(@rungs {"loss": 1} trailing)"}) {
    CAPTURE(bad);
    const auto result = parser.parse(bad);
    REQUIRE(is_error(result));
    CHECK_FALSE(std::get<ParseError>(result).message.empty());
  }
  const auto result = parser.parse("@rungs {not json");
  CHECK(std::get<ParseError>(result).message.find("{not json") != std::string::npos);
}

TEST_CASE("runners/report: a custom prefix") {
  const auto parser = ReportParser::tagged_json("METRICS:");
  CHECK(report_of(parser.parse(R"(METRICS: {"loss": 3})")).metrics.at("loss") == 3.0);
  CHECK(not_a_report(parser.parse(R"(@rungs {"loss": 3})")));
  CHECK_THROWS_AS(ReportParser::tagged_json("  "), std::invalid_argument);
}

TEST_CASE("runners/report: the default regex reads name=value output") {
  const auto parser = ReportParser::regex();
  const auto r = report_of(parser.parse("epoch=3 loss=0.3 val_acc = 0.91 lr=1e-3 gap=-.5"));
  CHECK(r.step == 3);
  CHECK(r.metrics.size() == 4);
  CHECK(r.metrics.at("loss") == doctest::Approx(0.3));
  CHECK(r.metrics.at("val_acc") == doctest::Approx(0.91));
  CHECK(r.metrics.at("lr") == doctest::Approx(1e-3));
  CHECK(r.metrics.at("gap") == doctest::Approx(-0.5));

  const auto odd = report_of(parser.parse("step=7 loss=nan grad=inf floor=-inf"));
  CHECK(odd.step == 7);
  CHECK(std::isnan(odd.metrics.at("loss")));
  CHECK(odd.metrics.at("grad") == HUGE_VAL);
  CHECK(odd.metrics.at("floor") == -HUGE_VAL);

  CHECK(not_a_report(parser.parse("Epoch 3/10 - training")));
  CHECK(not_a_report(parser.parse("version=1.2.3 mode=fast")));  // not numbers
  CHECK(is_error(parser.parse("epoch=2.5 loss=1")));             // non-integral step
}

TEST_CASE("runners/report: a user regex with two groups") {
  // Keras-style "loss: 0.3012 - accuracy: 0.9100".
  const auto parser = ReportParser::regex(R"((\w+): ([-+]?[\d.]+(?:e[-+]?\d+)?))");
  const auto r = report_of(parser.parse("1875/1875 - 3s - loss: 0.3012 - accuracy: 0.9100"));
  CHECK(r.metrics.size() == 2);
  CHECK(r.metrics.at("accuracy") == doctest::Approx(0.91));
  CHECK_THROWS_AS(ReportParser::regex("(only one group)"), std::invalid_argument);
  CHECK_THROWS_AS(ReportParser::regex("(unbalanced"), std::invalid_argument);
}

TEST_CASE("runners/report: regex mode refuses absurdly long lines instead of overflowing") {
  const auto parser = ReportParser::regex();
  CHECK(is_error(parser.parse(std::string(200000, 'x') + "=1")));
  CHECK(report_of(parser.parse(std::string(4000, ' ') + "loss=1")).metrics.at("loss") == 1.0);
}
