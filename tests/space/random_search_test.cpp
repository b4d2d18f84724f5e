// RandomSearch: suggestions respect the space, are reproducible, and resumable by count.
#include <doctest/doctest.h>

#include <optional>
#include <set>

#include "optimizers/random_search.hpp"
#include "spaces.hpp"

using namespace rungs;

TEST_CASE("space: RandomSearch suggests valid configurations covering both branches") {
  const auto space = space::testing::optimizer_space();
  optimizers::RandomSearch search(space, 5);
  optimizers::Optimizer& optimizer = search;
  const fidelity::Budget budget{0, 1, {{"epochs", 1}}};
  std::set<std::string> optimizers_seen;
  for (int i = 0; i < 200; ++i) {
    const auto c = optimizer.suggest(budget);
    REQUIRE_NOTHROW(space.validate(c));
    optimizers_seen.insert(std::get<std::string>(c.at("optimizer")));
    optimizer.observe(c, budget, 0.5);
  }
  CHECK(optimizers_seen.size() == 2);
  CHECK(search.suggested() == 200);
}

TEST_CASE("space: RandomSearch is reproducible for a seed and resumes by count") {
  const auto space = space::testing::nested_space();
  const fidelity::Budget budget;
  optimizers::RandomSearch a(space, 99), b(space, 99), other(space, 100);
  std::vector<space::Config> first;
  for (int i = 0; i < 20; ++i) {
    first.push_back(a.suggest(budget));
    CHECK(b.suggest(budget) == first.back());
  }
  CHECK(first[0] != first[1]);  // each suggestion is a fresh draw
  bool differs = false;
  for (int i = 0; i < 20; ++i) differs |= other.suggest(budget) != first[static_cast<std::size_t>(i)];
  CHECK(differs);

  // A restarted campaign that had made 12 suggestions continues the same sequence.
  optimizers::RandomSearch resumed(space, 99, 12);
  for (std::size_t i = 12; i < 20; ++i) CHECK(resumed.suggest(budget) == first[i]);
}

TEST_CASE("space: RandomSearch keeps its own copy of the space") {
  std::optional<optimizers::RandomSearch> search;
  {
    const space::SearchSpace temporary({space::real("x", 0, 1)});
    search.emplace(temporary, 1);
  }
  const auto c = search->suggest({});
  CHECK(std::get<double>(c.at("x")) >= 0.0);
}
