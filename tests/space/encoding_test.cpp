// The [0,1]^d encoding: formulas, round trips, NaN for inactive parameters, decoding any point.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "space/encoding.hpp"
#include "spaces.hpp"

using namespace rungs::space;
using rungs::space::testing::mentions;
using rungs::space::testing::space_error;

TEST_CASE("space: per-value encodings follow the documented formulas") {
  CHECK(encode_value(FloatDomain{2, 4, Scale::linear}, 3.0) == doctest::Approx(0.5));
  CHECK(encode_value(FloatDomain{1e-4, 1, Scale::log}, 1e-2) == doctest::Approx(0.5));
  CHECK(encode_value(FloatDomain{1e-4, 1, Scale::log}, 1e-4) == doctest::Approx(0.0));
  // Ints: [low - 0.5, high + 0.5] stretched to [0,1]; 1..4 own quarters, centres at 1/8, 3/8...
  CHECK(encode_value(IntDomain{1, 4, Scale::linear}, std::int64_t{1}) == doctest::Approx(0.125));
  CHECK(encode_value(IntDomain{1, 4, Scale::linear}, std::int64_t{4}) == doctest::Approx(0.875));
  CHECK(encode_value(IntDomain{1, 4, Scale::log}, std::int64_t{1}) ==
        doctest::Approx((std::log(1.0) - std::log(0.5)) / (std::log(4.5) - std::log(0.5))));
  // Categoricals: (index + 0.5) / k.
  const CategoricalDomain c{{"a", "b", "c", "d"}};
  CHECK(encode_value(c, std::string("a")) == doctest::Approx(0.125));
  CHECK(encode_value(c, std::string("d")) == doctest::Approx(0.875));
  CHECK(encode_value(CategoricalDomain{{"only"}}, std::string("only")) == doctest::Approx(0.5));
  CHECK(choice_index(c, "c") == 2);
}

TEST_CASE("space: decode_value clamps and picks the slice a point falls in") {
  const IntDomain d{1, 4, Scale::linear};
  CHECK(decode_value(d, 0.0) == Value(std::int64_t{1}));
  CHECK(decode_value(d, 0.2499) == Value(std::int64_t{1}));
  CHECK(decode_value(d, 0.2501) == Value(std::int64_t{2}));
  CHECK(decode_value(d, 1.0) == Value(std::int64_t{4}));
  CHECK(decode_value(d, 7.0) == Value(std::int64_t{4}));
  CHECK(decode_value(d, -3.0) == Value(std::int64_t{1}));
  const CategoricalDomain c{{"a", "b", "c"}};
  CHECK(decode_value(c, 1.0) == Value(std::string("c")));
  CHECK(decode_value(c, 0.34) == Value(std::string("b")));
  CHECK(decode_value(FloatDomain{1e-3, 1, Scale::log}, 2.0) == Value(1.0));
  CHECK(decode_value(FloatDomain{1e-3, 1, Scale::log}, -std::numeric_limits<double>::infinity()) == Value(1e-3));
  CHECK_THROWS_AS(decode_value(d, std::nan("")), SpaceError);
}

TEST_CASE("space: encode marks inactive parameters NaN and decode leaves them out") {
  const auto space = testing::optimizer_space();
  const Config sgd{{"optimizer", std::string("sgd")}, {"lr", 0.01}, {"momentum", 0.9}, {"hidden", std::int64_t{64}}};
  const auto x = space.encode(sgd);
  REQUIRE(x.size() == 5);
  CHECK(x[0] == doctest::Approx(0.25));               // sgd: first of two choices
  CHECK(x[1] == doctest::Approx(1.0 / 3.0));          // 0.01 in [1e-3, 1], log
  CHECK(x[2] == doctest::Approx(0.9 / 0.99));
  CHECK(std::isnan(x[3]));                            // beta1 inactive
  const auto back = space.decode(x);
  CHECK(back.size() == 4);
  CHECK_FALSE(back.count("beta1"));
  CHECK(back.at("optimizer") == sgd.at("optimizer"));
  CHECK(back.at("hidden") == sgd.at("hidden"));
  CHECK(std::get<double>(back.at("lr")) == doctest::Approx(0.01));
  CHECK(std::get<double>(back.at("momentum")) == doctest::Approx(0.9));
}

TEST_CASE("space: encode/decode round trip over sampled configurations") {
  const auto space = testing::nested_space();
  std::mt19937_64 rng(21);
  for (int i = 0; i < 500; ++i) {
    const auto c = space.sample(rng);
    const auto x = space.encode(c);
    for (std::size_t j = 0; j < space.dimension(); ++j) {
      const double u = x[static_cast<Eigen::Index>(j)];
      REQUIRE(std::isnan(u) == !c.count(space.parameters()[j].name));
      if (!std::isnan(u)) REQUIRE((u >= 0.0 && u <= 1.0));
    }
    const auto back = space.decode(x);
    REQUIRE(back.size() == c.size());
    for (const auto& [name, value] : c) {
      if (std::holds_alternative<double>(value))
        REQUIRE(std::get<double>(back.at(name)) == doctest::Approx(std::get<double>(value)).epsilon(1e-12));
      else
        REQUIRE(back.at(name) == value);
    }
  }
}

TEST_CASE("space: decode re-evaluates conditions for any point an optimizer proposes") {
  const auto space = testing::optimizer_space();
  Eigen::VectorXd x(5);
  // optimizer decodes to adam (upper half): momentum's coordinate is ignored even though set,
  // beta1's is used although an imputing model might have put anything there.
  x << 0.9, 0.5, 0.3, 1.7, 0.0;
  const auto c = space.decode(x);
  CHECK(std::get<std::string>(c.at("optimizer")) == "adam");
  CHECK_FALSE(c.count("momentum"));
  CHECK(std::get<double>(c.at("beta1")) == doctest::Approx(0.999));  // clamped
  CHECK(std::get<std::int64_t>(c.at("hidden")) == 16);
  CHECK_NOTHROW(space.validate(c));

  x << 0.1, 0.5, std::nan(""), std::nan(""), 0.5;  // sgd, but momentum NaN
  const auto e = space_error([&] { space.decode(x); });
  CHECK(e.parameter() == "momentum");
  CHECK(mentions(e.message(), "NaN"));

  CHECK_THROWS_AS(space.decode(Eigen::VectorXd::Zero(4)), SpaceError);
}

TEST_CASE("space: encode rejects configurations the space would reject") {
  const auto space = testing::optimizer_space();
  const Config bad{{"optimizer", std::string("sgd")}, {"lr", 0.01}, {"hidden", std::int64_t{64}}};
  const auto e = space_error([&] { space.encode(bad); });
  CHECK(e.parameter() == "momentum");
}
