// Values, domains and the helpers around them: to_string, coerce, contains, names.
#include <doctest/doctest.h>

#include <charconv>
#include <cmath>

#include "space/parameter.hpp"

using namespace rungs::space;

TEST_CASE("space: to_string prints the shortest text that reads back as the same value") {
  CHECK(to_string(Value(0.001)) == "0.001");
  CHECK(to_string(Value(0.1 + 0.2)) == "0.30000000000000004");  // not rounded to 0.3: exact
  CHECK(to_string(Value(1e-7)) == "1e-07");
  CHECK(to_string(Value(std::int64_t{64})) == "64");
  CHECK(to_string(Value(std::int64_t{-3})) == "-3");
  CHECK(to_string(Value(std::string("adam"))) == "adam");
  CHECK(to_string(Value(std::string("; rm -rf /"))) == "; rm -rf /");

  // Round trip over awkward doubles.
  for (double x : {1.0 / 3.0, 2.0 / 3.0 * 1e-5, 123456.789, 0.99, 5e-324}) {
    const auto text = to_string(Value(x));
    double back = 0;
    std::from_chars(text.data(), text.data() + text.size(), back);
    CHECK(back == x);
  }
}

TEST_CASE("space: contains checks type and bounds, both ends inclusive") {
  const Domain f = FloatDomain{0.5, 2.0, Scale::linear};
  CHECK(contains(f, Value(0.5)));
  CHECK(contains(f, Value(2.0)));
  CHECK_FALSE(contains(f, Value(2.0000001)));
  CHECK_FALSE(contains(f, Value(std::nan(""))));
  CHECK_FALSE(contains(f, Value(std::int64_t{1})));  // an int is not a float value

  const Domain i = IntDomain{1, 4, Scale::linear};
  CHECK(contains(i, Value(std::int64_t{1})));
  CHECK(contains(i, Value(std::int64_t{4})));
  CHECK_FALSE(contains(i, Value(std::int64_t{5})));
  CHECK_FALSE(contains(i, Value(2.0)));

  const Domain c = CategoricalDomain{{"sgd", "adam"}};
  CHECK(contains(c, Value(std::string("adam"))));
  CHECK_FALSE(contains(c, Value(std::string("Adam"))));
}

TEST_CASE("space: coerce converts loosely typed input to the domain's type") {
  const Domain f = FloatDomain{0, 1, Scale::linear};
  CHECK(coerce(f, Value(std::int64_t{1})) == Value(1.0));
  CHECK(coerce(f, Value(std::string("1e-3"))) == Value(0.001));
  CHECK_FALSE(coerce(f, Value(std::string("0.1x"))));

  const Domain i = IntDomain{0, 10, Scale::linear};
  CHECK(coerce(i, Value(std::string("3"))) == Value(std::int64_t{3}));
  CHECK(coerce(i, Value(std::string("+3"))) == Value(std::int64_t{3}));
  CHECK(coerce(i, Value(3.0)) == Value(std::int64_t{3}));
  CHECK_FALSE(coerce(i, Value(3.5)));
  CHECK_FALSE(coerce(i, Value(std::string("3.0"))));
  CHECK_FALSE(coerce(i, Value(std::string(""))));

  const Domain c = CategoricalDomain{{"1", "0.5", "true"}};
  CHECK(coerce(c, Value(std::int64_t{1})) == Value(std::string("1")));
  CHECK(coerce(c, Value(0.5)) == Value(std::string("0.5")));
  CHECK(coerce(c, Value(std::string("true"))) == Value(std::string("true")));
}

TEST_CASE("space: parameter names are identifiers") {
  CHECK(is_valid_name("lr"));
  CHECK(is_valid_name("_private2"));
  CHECK(is_valid_name("Beta_1"));
  CHECK_FALSE(is_valid_name(""));
  CHECK_FALSE(is_valid_name("1lr"));
  CHECK_FALSE(is_valid_name("learning-rate"));
  CHECK_FALSE(is_valid_name("lr}"));
  CHECK_FALSE(is_valid_name("a b"));
}

TEST_CASE("space: builders and describe") {
  const auto p = real("momentum", 0.0, 0.99).when("optimizer", {"sgd"});
  CHECK(p.name == "momentum");
  CHECK(p.is_conditional());
  REQUIRE(p.condition.size() == 1);
  CHECK(p.condition[0].parent == "optimizer");
  CHECK(std::string(type_name(p.domain)) == "float");
  CHECK(describe(real("lr", 1e-3, 1, Scale::log).domain) == "float in [0.001, 1], log scale");
  CHECK(describe(integer("n", 16, 128).domain) == "int in [16, 128]");
  CHECK(describe(categorical("o", {"sgd", "adam"}).domain) == "one of sgd, adam");
}
