// Every rule SearchSpace's constructor enforces, each with a message naming the parameter,
// the field and the problem.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "spaces.hpp"

using namespace rungs::space;
using rungs::space::testing::mentions;
using rungs::space::testing::space_error;

namespace {
SpaceError build_error(std::vector<Parameter> parameters) {
  return space_error([&] { SearchSpace space(std::move(parameters)); });
}
}  // namespace

TEST_CASE("space: SpaceError is an invalid_argument whose what() carries parameter and field") {
  const SpaceError e("lr", "low", "must be below high");
  CHECK(std::string(e.what()) == "lr.low: must be below high");
  CHECK(e.message() == "must be below high");
  const std::invalid_argument& base = e;
  CHECK(std::string(base.what()) == "lr.low: must be below high");
  CHECK(std::string(SpaceError("", "", "bad").what()) == "bad");
}

TEST_CASE("space: valid spaces build, keep their order and are copyable") {
  const auto space = testing::optimizer_space();
  CHECK(space.dimension() == 5);
  CHECK(space.parameters()[2].name == "momentum");
  CHECK(space.index_of("hidden") == 4u);
  CHECK(space.find("nope") == nullptr);
  const SearchSpace copy = space;
  CHECK(copy.find("beta1")->condition[0].parent == "optimizer");
  CHECK(SearchSpace().empty());
}

TEST_CASE("space: float bounds: low >= high, non-finite, log with low <= 0") {
  auto e = build_error({real("lr", 1.0, 0.1)});
  CHECK(e.parameter() == "lr");
  CHECK(e.field() == "low");
  CHECK(mentions(e.message(), "must be below high (got 1 >= 0.1)"));
  CHECK(mentions(e.what(), "lr.low: must be below high"));

  e = build_error({real("lr", 0.5, 0.5)});
  CHECK(mentions(e.message(), "below high"));

  e = build_error({real("lr", 0.0, std::numeric_limits<double>::infinity())});
  CHECK(e.field() == "high");
  CHECK(mentions(e.message(), "finite"));

  e = build_error({real("lr", 0.0, 1.0, Scale::log)});
  CHECK(e.parameter() == "lr");
  CHECK(e.field() == "low");
  CHECK(mentions(e.message(), "log scale needs low > 0 (got 0)"));

  e = build_error({real("lr", -1.0, 1.0, Scale::log)});
  CHECK(mentions(e.message(), "log scale"));
}

TEST_CASE("space: int bounds: low >= high, log with low <= 0, beyond 2^53") {
  auto e = build_error({integer("hidden", 128, 16)});
  CHECK(e.parameter() == "hidden");
  CHECK(e.field() == "low");
  CHECK(mentions(e.message(), "must be below high (got 128 >= 16)"));

  e = build_error({integer("hidden", 0, 16, Scale::log)});
  CHECK(e.field() == "low");
  CHECK(mentions(e.message(), "log scale needs low >= 1 (got 0)"));

  e = build_error({integer("seed", 0, std::numeric_limits<std::int64_t>::max())});
  CHECK(e.field() == "high");
  CHECK(mentions(e.message(), "2^53"));
}

TEST_CASE("space: categorical choices: empty, duplicated") {
  auto e = build_error({categorical("optimizer", {})});
  CHECK(e.parameter() == "optimizer");
  CHECK(e.field() == "choices");
  CHECK(mentions(e.message(), "empty"));

  e = build_error({categorical("optimizer", {"sgd", "adam", "sgd"})});
  CHECK(e.field() == "choices[2]");
  CHECK(mentions(e.message(), "choice 'sgd' is listed twice"));

  // One choice is a legitimate way to pin a value.
  CHECK_NOTHROW(SearchSpace({categorical("optimizer", {"sgd"})}));
}

TEST_CASE("space: names: not identifiers, duplicated") {
  auto e = build_error({real("learning-rate", 0, 1)});
  CHECK(e.parameter() == "learning-rate");
  CHECK(mentions(e.message(), "'learning-rate' is not a valid parameter name"));

  e = build_error({real("lr", 0, 1), real("lr", 0, 2)});
  CHECK(e.parameter() == "lr");
  CHECK(mentions(e.message(), "defined twice"));
}

TEST_CASE("space: conditions on unknown parameters suggest the closest name") {
  const auto e = build_error({categorical("optimizer", {"sgd", "adam"}),
                              real("momentum", 0, 0.99).when("optimzer", {"sgd"})});
  CHECK(e.parameter() == "momentum");
  CHECK(e.field() == "when.optimzer");
  CHECK(mentions(e.message(), "unknown parameter 'optimzer' (did you mean 'optimizer'?)"));
  CHECK(mentions(e.what(), "momentum.when.optimzer: condition on unknown parameter"));
}

TEST_CASE("space: condition values must be values the parent can take") {
  auto e = build_error({categorical("optimizer", {"sgd", "adam"}),
                        real("momentum", 0, 0.99).when("optimizer", {"sgd", "sdg"})});
  CHECK(e.parameter() == "momentum");
  CHECK(e.field() == "when.optimizer");
  CHECK(mentions(e.message(), "'sdg' is not a choice of 'optimizer' (choices: sgd, adam)"));

  e = build_error({integer("layers", 1, 3), integer("width3", 8, 64).when("layers", {4})});
  CHECK(e.field() == "when.layers");
  CHECK(mentions(e.message(), "'4' is a value 'layers' never takes"));
  CHECK(mentions(e.message(), "int in [1, 3]"));

  e = build_error({integer("layers", 1, 3), integer("width", 8, 64).when("layers", {"two"})});
  CHECK(mentions(e.message(), "'two'"));

  e = build_error({integer("layers", 1, 3), integer("width", 8, 64).when("layers", {2.5})});
  CHECK(mentions(e.message(), "'2.5'"));
}

TEST_CASE("space: condition values given loosely are stored in the parent's type") {
  const SearchSpace space({integer("layers", 1, 3), categorical("act", {"1", "2"}),
                           real("x", 0, 1).when("layers", {"2", 3.0}).when("act", {std::int64_t{1}})});
  const auto& clauses = space.find("x")->condition;
  CHECK(clauses[0].values == std::vector<Value>{std::int64_t{2}, std::int64_t{3}});
  CHECK(clauses[1].values == std::vector<Value>{std::string("1")});
}

TEST_CASE("space: conditions on floats, with no values, repeated values or repeated parents") {
  auto e = build_error({real("lr", 0.1, 1), real("x", 0, 1).when("lr", {0.5})});
  CHECK(e.parameter() == "x");
  CHECK(e.field() == "when.lr");
  CHECK(mentions(e.message(), "cannot condition on float parameter 'lr'"));

  e = build_error({categorical("o", {"a", "b"}), real("x", 0, 1).when("o", {})});
  CHECK(e.field() == "when.o");
  CHECK(mentions(e.message(), "lists no values"));

  e = build_error({categorical("o", {"a", "b"}), real("x", 0, 1).when("o", {"a", "a"})});
  CHECK(mentions(e.message(), "value 'a' of 'o' is listed twice"));

  e = build_error({categorical("o", {"a", "b"}), real("x", 0, 1).when("o", {"a"}).when("o", {"b"})});
  CHECK(mentions(e.message(), "'o' appears twice in the condition"));
}

TEST_CASE("space: cycles are reported with their path") {
  auto e = build_error({categorical("a", {"x", "y"}).when("b", {"x"}),
                        categorical("b", {"x", "y"}).when("a", {"y"})});
  CHECK(e.parameter() == "a");
  CHECK(e.field() == "when.b");
  CHECK(mentions(e.message(), "conditions form a cycle: a -> b -> a"));

  // A longer cycle behind an innocent parameter.
  e = build_error({categorical("root", {"x"}),
                   categorical("a", {"x"}).when("c", {"x"}),
                   categorical("b", {"x"}).when("a", {"x"}).when("root", {"x"}),
                   categorical("c", {"x"}).when("b", {"x"})});
  CHECK(mentions(e.message(), "a -> c -> b -> a"));

  e = build_error({categorical("a", {"x", "y"}).when("a", {"x"})});
  CHECK(e.parameter() == "a");
  CHECK(mentions(e.message(), "cycle: a -> a"));
}

TEST_CASE("space: conditions that can never hold together") {
  const auto e = build_error({categorical("optimizer", {"sgd", "adam"}),
                              categorical("schedule", {"constant", "step"}).when("optimizer", {"adam"}),
                              real("decay", 0.1, 0.9).when("schedule", {"step"}).when("optimizer", {"sgd"})});
  CHECK(e.parameter() == "decay");
  CHECK(e.field() == "when");
  CHECK(mentions(e.message(), "'decay' can never be active"));
  CHECK(mentions(e.message(), "'optimizer' to be adam and also sgd"));

  // Overlapping sets are fine: decay needs optimizer in {adam} through schedule.
  CHECK_NOTHROW(SearchSpace({categorical("optimizer", {"sgd", "adam", "rmsprop"}),
                             categorical("schedule", {"constant", "step"}).when("optimizer", {"adam", "rmsprop"}),
                             real("decay", 0.1, 0.9).when("schedule", {"step"}).when("optimizer", {"sgd", "adam"})}));
}

TEST_CASE("space: sampling order puts parents first and otherwise keeps the given order") {
  const SearchSpace space({real("decay", 0.1, 0.9).when("schedule", {"step"}),
                           real("lr", 0.1, 1),
                           categorical("schedule", {"constant", "step"}).when("optimizer", {"adam"}),
                           categorical("optimizer", {"sgd", "adam"})});
  CHECK(space.sampling_order() == std::vector<std::size_t>{1, 3, 2, 0});
  CHECK(space.parameters()[0].name == "decay");  // encoding order stays the given order
}
