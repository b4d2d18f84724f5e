// SearchSpace::validate and is_active: checking configurations that come from users.
#include <doctest/doctest.h>

#include "spaces.hpp"

using namespace rungs::space;
using rungs::space::testing::mentions;
using rungs::space::testing::space_error;

namespace {
Config sgd_config() {
  return {{"optimizer", std::string("sgd")}, {"lr", 0.01}, {"momentum", 0.9}, {"hidden", std::int64_t{64}}};
}
}  // namespace

TEST_CASE("space: a complete configuration passes") {
  const auto space = testing::optimizer_space();
  CHECK_NOTHROW(space.validate(sgd_config()));
  Config adam = sgd_config();
  adam.erase("momentum");
  adam["optimizer"] = std::string("adam");
  adam["beta1"] = 0.9;
  CHECK_NOTHROW(space.validate(adam));
}

TEST_CASE("space: validate names the offending parameter and the problem") {
  const auto space = testing::optimizer_space();

  Config c = sgd_config();
  c["lrr"] = 0.1;
  auto e = space_error([&] { space.validate(c); });
  CHECK(e.parameter() == "lrr");
  CHECK(mentions(e.message(), "unknown parameter 'lrr' (did you mean 'lr'?"));

  c = sgd_config();
  c.erase("momentum");
  e = space_error([&] { space.validate(c); });
  CHECK(e.parameter() == "momentum");
  CHECK(mentions(e.message(), "'momentum' is missing: it is active because optimizer = sgd"));

  c = sgd_config();
  c.erase("lr");
  e = space_error([&] { space.validate(c); });
  CHECK(mentions(e.message(), "'lr' is missing"));

  c = sgd_config();
  c["beta1"] = 0.9;
  e = space_error([&] { space.validate(c); });
  CHECK(e.parameter() == "beta1");
  CHECK(mentions(e.message(), "'beta1' is set but inactive: it exists only when optimizer = adam"));

  c = sgd_config();
  c["lr"] = 2.0;
  e = space_error([&] { space.validate(c); });
  CHECK(e.parameter() == "lr");
  CHECK(mentions(e.message(), "'lr' = 2 is outside its domain: float in [0.001, 1], log scale"));

  c = sgd_config();
  c["hidden"] = 64.0;
  e = space_error([&] { space.validate(c); });
  CHECK(mentions(e.message(), "'hidden' must be a int value (int in [16, 128], log scale), got a float 64"));

  c = sgd_config();
  c["optimizer"] = std::string("rmsprop");
  c.erase("momentum");
  e = space_error([&] { space.validate(c); });
  CHECK(e.parameter() == "optimizer");
  CHECK(mentions(e.message(), "outside its domain: one of sgd, adam"));
}

TEST_CASE("space: is_active follows nested conditions") {
  const auto space = testing::nested_space();
  const auto& decay = *space.find("decay");
  Config c{{"optimizer", std::string("adam")}, {"schedule", std::string("step")}, {"layers", std::int64_t{1}}};
  CHECK(space.is_active(decay, c));
  c["schedule"] = std::string("constant");
  CHECK_FALSE(space.is_active(decay, c));
  // A stray schedule value does not activate decay when schedule itself is inactive.
  Config stray{{"optimizer", std::string("sgd")}, {"schedule", std::string("step")}};
  CHECK_FALSE(space.is_active(*space.find("schedule"), stray));
  CHECK_FALSE(space.is_active(decay, stray));

  const auto& width = *space.find("width2");
  CHECK(space.is_active(width, {{"layers", std::int64_t{3}}}));
  CHECK_FALSE(space.is_active(width, {{"layers", std::int64_t{1}}}));

  CHECK_THROWS_AS(space.is_active(real("other", 0, 1), c), SpaceError);
}

TEST_CASE("space: describe_condition") {
  const auto space = testing::nested_space();
  CHECK(space.describe_condition(*space.find("width2")) == "layers in {2, 3}");
  CHECK(space.describe_condition(*space.find("decay")) == "schedule = step");
  CHECK(space.describe_condition(*space.find("layers")).empty());
}
