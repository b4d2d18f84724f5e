// One contract test over every optimizer (optimizers/optimizer.hpp), as
// tests/scheduler/test_scheduler_contract.cpp is for the schedulers: random search, TPE and
// the GP, each driven the way a Hyperband campaign drives it (suggestions at every level of a
// budget ladder, most at the lowest, failures among the observations), must
//  - set every active parameter and no inactive one, in conditional spaces too;
//  - give the same suggestions for the same seed and the same observations;
//  - count NaN and infinite observations as the worst value: no crash, and a learning
//    optimizer does not go where they came from (a control run, with the failures reported as
//    the best value instead, shows that it would);
//  - suggest at every budget level of a ladder, before and after it has a model.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "fidelity/dimension.hpp"
#include "fidelity/ladder.hpp"
#include "optimizers/gp/gp_optimizer.hpp"
#include "optimizers/random_search.hpp"
#include "optimizers/tpe/tpe.hpp"
#include "tests/space/spaces.hpp"

using namespace rungs;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

struct Contender {
  std::string name;
  std::function<std::unique_ptr<optimizers::Optimizer>(const space::SearchSpace&, std::uint64_t)> make;
  bool learns = false;  // model-based: must avoid where the failures came from
  // Whether the optimizer models some level now (so that the checks also cover model-based
  // suggestions, not only its random start).
  std::function<bool(const optimizers::Optimizer&)> modelling;
};

std::vector<Contender> contenders() {
  return {
      {"random",
       [](const space::SearchSpace& space, std::uint64_t seed) {
         return std::make_unique<optimizers::RandomSearch>(space, seed);
       },
       false, [](const optimizers::Optimizer&) { return false; }},
      {"tpe",
       [](const space::SearchSpace& space, std::uint64_t seed) {
         return std::make_unique<optimizers::Tpe>(space, optimizers::TpeSettings{}, seed);
       },
       true,
       [](const optimizers::Optimizer& o) { return dynamic_cast<const optimizers::Tpe&>(o).model_level().has_value(); }},
      {"gp",
       [](const space::SearchSpace& space, std::uint64_t seed) {
         return std::make_unique<optimizers::GpOptimizer>(space, optimizers::GpSettings{}, seed);
       },
       true,
       [](const optimizers::Optimizer& o) {
         return dynamic_cast<const optimizers::GpOptimizer&>(o).model_level().has_value();
       }},
  };
}

// Epochs 1, 3, 9, 27: four levels.
fidelity::BudgetLadder ladder() {
  fidelity::Dimension epochs{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 27}};
  return fidelity::BudgetLadder(1, 27, 3, {epochs});
}

// Conditional spaces: two optimizers with their own parameters; a chain two deep and an
// integer parent (tests/space/spaces.hpp); the first with priors on four of its parameters
// (space/prior.hpp); one with a categorical parent of three choices.
std::vector<std::pair<std::string, space::SearchSpace>> spaces() {
  using namespace space;
  return {
      {"optimizer", testing::optimizer_space()},
      {"nested", testing::nested_space()},
      {"optimizer, with priors", testing::prior_space()},
      {"three optimizers", SearchSpace({
                               categorical("optimizer", {"sgd", "adam", "rmsprop"}),
                               real("lr", 1e-4, 1.0, Scale::log),
                               real("momentum", 0.0, 0.99).when("optimizer", {"sgd", "rmsprop"}),
                               integer("warmup", 0, 10).when("optimizer", {"adam"}),
                               integer("layers", 1, 4),
                           })},
  };
}

// A smooth function of the active coordinates of the encoding (inactive ones are NaN there).
double objective(const space::SearchSpace& space, const space::Config& config) {
  const auto z = space.encode(config);
  double value = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i)
    if (!std::isnan(z[i])) value += (z[i] - 0.3) * (z[i] - 0.3);
  return value;
}

// Every active parameter set, no inactive one, every value valid and finite.
void check_config(const space::SearchSpace& space, const space::Config& config) {
  CHECK_NOTHROW(space.validate(config));
  for (const auto& parameter : space.parameters()) {
    CAPTURE(parameter.name);
    CHECK(config.count(parameter.name) == (space.is_active(parameter, config) ? 1u : 0u));
  }
  for (const auto& [name, value] : config)
    if (const auto* number = std::get_if<double>(&value)) CHECK(std::isfinite(*number));
}

// The level of the i-th suggestion: Hyperband's shape, most at the lowest level.
std::size_t level_of(std::size_t i) {
  constexpr std::size_t kLevels[] = {0, 0, 0, 0, 0, 0, 1, 1, 2, 3};
  return kLevels[i % 10];
}

// `rounds` suggest/observe rounds; every 7th observation NaN, every 11th +inf. Returns the
// suggestions.
std::vector<space::Config> drive(optimizers::Optimizer& optimizer, const space::SearchSpace& space, std::size_t rounds) {
  const auto budgets = ladder();
  std::vector<space::Config> suggested;
  for (std::size_t i = 0; i < rounds; ++i) {
    const auto& budget = budgets.at(level_of(i));
    auto config = optimizer.suggest(budget);
    const double value = i % 7 == 3 ? kNaN : i % 11 == 5 ? kInf : objective(space, config);
    optimizer.observe(config, budget, value);
    suggested.push_back(std::move(config));
  }
  return suggested;
}

}  // namespace

TEST_CASE("optimizer contract: every active parameter and no inactive one, at every level, in conditional spaces") {
  for (const auto& contender : contenders()) {
    for (const auto& [space_name, space] : spaces()) {
      CAPTURE(contender.name);
      CAPTURE(space_name);
      auto optimizer = contender.make(space, 1);
      const auto suggested = drive(*optimizer, space, 80);
      for (const auto& config : suggested) check_config(space, config);
      // Both branches of the conditions were suggested, so both were checked.
      std::set<bool> momentum_active;
      for (const auto& config : suggested) momentum_active.insert(config.count(space.parameters()[2].name) > 0);
      CHECK(momentum_active.size() == 2);
      if (contender.learns) CHECK(contender.modelling(*optimizer));
    }
  }
}

TEST_CASE("optimizer contract: the same seed and the same observations give the same suggestions") {
  for (const auto& space : {space::testing::optimizer_space(), space::testing::prior_space()}) {
    for (const auto& contender : contenders()) {
      CAPTURE(contender.name);
      CAPTURE(space.has_prior());
      auto first = contender.make(space, 7);
      auto second = contender.make(space, 7);
      auto other = contender.make(space, 8);
      const auto a = drive(*first, space, 60);
      const auto b = drive(*second, space, 60);
      const auto c = drive(*other, space, 60);
      CHECK(a == b);
      CHECK(a != c);  // the seed matters
      if (contender.learns) CHECK(contender.modelling(*first));  // past the random start
    }
  }
}

TEST_CASE("optimizer contract: NaN and infinite observations count as the worst value") {
  // x < 0.5 fails; elsewhere the value is at least 1, lowest at x = 0.75.
  const space::SearchSpace space({space::real("x", 0.0, 1.0), space::real("w", 0.0, 1.0)});
  const auto budget = ladder().at(0);
  auto x_of = [](const space::Config& config) { return std::get<double>(config.at("x")); };
  auto failing_share = [&](const Contender& contender, double failure) {
    auto optimizer = contender.make(space, 3);
    for (int i = 0; i < 40; ++i) {
      const auto config = optimizer->suggest(budget);
      const double x = x_of(config);
      optimizer->observe(config, budget, x < 0.5 ? failure : 1 + (x - 0.75) * (x - 0.75) + 0.1 * std::get<double>(config.at("w")));
    }
    int failing = 0;
    for (int i = 0; i < 60; ++i) {
      const auto config = optimizer->suggest(budget);
      check_config(space, config);
      failing += x_of(config) < 0.5 ? 1 : 0;
      optimizer->observe(config, budget, x_of(config) < 0.5 ? failure : 1.0);
    }
    return failing / 60.0;
  };
  for (const auto& contender : contenders()) {
    CAPTURE(contender.name);
    for (const double failure : {kNaN, kInf, -kInf}) {
      CAPTURE(failure);
      const double share = failing_share(contender, failure);
      // Random search ignores what it observes; a learner must stay away (its random share,
      // a third at most, lands there half the time).
      CHECK(share < (contender.learns ? 0.3 : 0.65));
    }
    // Control: reported as the best value instead, the failing half is where a learner goes,
    // so the check above can fail.
    if (contender.learns) CHECK(failing_share(contender, 0.0) > 0.5);
  }

  // Nothing but failures at a level: still valid suggestions, at every level.
  const auto budgets = ladder();
  for (const auto& contender : contenders()) {
    CAPTURE(contender.name);
    auto optimizer = contender.make(space, 4);
    for (int i = 0; i < 30; ++i) {
      optimizer->observe(optimizer->suggest(budgets.at(0)), budgets.at(0), i % 2 ? kNaN : kInf);
      optimizer->observe(optimizer->suggest(budgets.at(1)), budgets.at(1), -kInf);
    }
    for (std::size_t level = 0; level < budgets.levels(); ++level) check_config(space, optimizer->suggest(budgets.at(level)));
  }
}

TEST_CASE("optimizer contract: suggestions at every budget level of a ladder, before and after a model") {
  const auto budgets = ladder();
  REQUIRE(budgets.levels() == 4);
  const auto single = fidelity::BudgetLadder();  // one level, no dimensions
  for (const auto& contender : contenders()) {
    for (const auto& [space_name, space] : spaces()) {
      CAPTURE(contender.name);
      CAPTURE(space_name);
      auto optimizer = contender.make(space, 5);
      // Before any observation.
      for (std::size_t level = 0; level < budgets.levels(); ++level) check_config(space, optimizer->suggest(budgets.at(level)));
      check_config(space, optimizer->suggest(single.at(0)));
      // Observations at the lowest level only: a model there, none above.
      for (int i = 0; i < 30; ++i) {
        const auto config = optimizer->suggest(budgets.at(0));
        optimizer->observe(config, budgets.at(0), objective(space, config));
      }
      if (contender.learns) CHECK(contender.modelling(*optimizer));
      for (std::size_t level = 0; level < budgets.levels(); ++level) check_config(space, optimizer->suggest(budgets.at(level)));
      // Observations at every level, the top one included.
      drive(*optimizer, space, 60);
      for (std::size_t level = 0; level < budgets.levels(); ++level) {
        CAPTURE(level);
        const auto config = optimizer->suggest(budgets.at(level));
        check_config(space, config);
        optimizer->observe(config, budgets.at(level), objective(space, config));
      }
      check_config(space, optimizer->suggest(single.at(0)));
    }
  }
}
