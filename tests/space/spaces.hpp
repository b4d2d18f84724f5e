#pragma once
// Spaces and helpers shared by the space tests.
#include <doctest/doctest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "space/search_space.hpp"

namespace rungs::space::testing {

// The space of the campaign YAML example: two optimizers, each with its own parameter.
inline SearchSpace optimizer_space() {
  return SearchSpace({
      categorical("optimizer", {"sgd", "adam"}),
      real("lr", 1e-3, 1.0, Scale::log),
      real("momentum", 0.0, 0.99).when("optimizer", {"sgd"}),
      real("beta1", 0.8, 0.999).when("optimizer", {"adam"}),
      integer("hidden", 16, 128, Scale::log),
  });
}

// Three levels: schedule exists only for adam, decay only for schedule = step, layers' width
// only for 2 or 3 layers.
inline SearchSpace nested_space() {
  return SearchSpace({
      categorical("optimizer", {"sgd", "adam"}),
      categorical("schedule", {"constant", "step"}).when("optimizer", {"adam"}),
      real("decay", 0.1, 0.9).when("schedule", {"step"}),
      integer("layers", 1, 3),
      integer("width2", 8, 64).when("layers", {2, 3}),
  });
}

// optimizer_space() with priors (space/prior.hpp) on a categorical, a log-scale float, a
// conditional float and a log-scale int; beta1 keeps none.
inline SearchSpace prior_space() {
  return SearchSpace({
      categorical("optimizer", {"sgd", "adam"}).with_prior(ChoicePrior{{{"adam", 3.0}}}),
      real("lr", 1e-3, 1.0, Scale::log).with_prior(NumericPrior{3e-3, 0.125}),
      real("momentum", 0.0, 0.99).when("optimizer", {"sgd"}).with_prior(NumericPrior{0.9, 0.25}),
      real("beta1", 0.8, 0.999).when("optimizer", {"adam"}),
      integer("hidden", 16, 128, Scale::log).with_prior(NumericPrior{64, 0.25}),
  });
}

// Runs `body`, which must throw a SpaceError, and returns it.
inline SpaceError space_error(const std::function<void()>& body) {
  try {
    body();
  } catch (const SpaceError& e) {
    return e;
  }
  FAIL("expected a SpaceError");
  throw std::logic_error("unreachable");
}

inline bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace rungs::space::testing
