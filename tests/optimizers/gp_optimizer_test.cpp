// GpOptimizer: valid suggestions in conditional spaces, determinism, convergence on a toy
// problem, robustness to failures and degenerate spaces, per-level modeling.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "optimizers/gp/acquisition_search.hpp"
#include "optimizers/gp/gp_optimizer.hpp"
#include "optimizers/random_search.hpp"

using namespace rungs;
using optimizers::GpOptimizer;
using optimizers::GpSettings;

namespace {

fidelity::Budget level(std::size_t l) { return {l, std::pow(3.0, static_cast<double>(l)), {}}; }

// Fewer candidates than the defaults: same code paths, faster tests.
GpSettings quick() {
  GpSettings s;
  s.candidates = 200;
  s.local_search_steps = 8;
  s.restarts = 2;
  return s;
}

space::SearchSpace toy_space() { return space::SearchSpace({space::real("x", -5, 5), space::real("y", 0, 10)}); }
// Minimum 0 at (x, y) = (1, 7).
double toy(const space::Config& c) {
  const double x = std::get<double>(c.at("x")), y = std::get<double>(c.at("y"));
  return std::pow((x - 1) / 10, 2) + std::pow((y - 7) / 10, 2);
}

space::SearchSpace conditional_space() {
  return space::SearchSpace({
      space::categorical("optimizer", {"sgd", "adam"}),
      space::real("lr", 1e-4, 1.0, space::Scale::log),
      space::real("momentum", 0.0, 0.99).when("optimizer", {"sgd"}),
      space::categorical("schedule", {"constant", "step"}).when("optimizer", {"adam"}),
      space::real("decay", 0.1, 0.9).when("schedule", {"step"}),
      space::integer("layers", 1, 4),
      space::integer("width", 8, 256, space::Scale::log).when("layers", {2, 3, 4}),
  });
}
double conditional_objective(const space::Config& c) {
  double v = std::pow(std::log10(std::get<double>(c.at("lr"))) + 2, 2);
  if (c.at("optimizer") == space::Value{"sgd"}) v += 1 - std::get<double>(c.at("momentum"));
  if (c.contains("decay")) v += std::get<double>(c.at("decay"));
  v += 0.1 * static_cast<double>(std::get<std::int64_t>(c.at("layers")));
  return v;
}

}  // namespace

TEST_CASE("optimizers: GP suggestions concentrate near the optimum of a smooth 2-D function") {
  const auto s = toy_space();
  const auto distance = [](const space::Config& c) {
    return std::hypot((std::get<double>(c.at("x")) - 1) / 10, (std::get<double>(c.at("y")) - 7) / 10);
  };
  GpSettings settings = quick();
  settings.random_fraction = 0;
  GpOptimizer gp(s, settings, 1);
  optimizers::RandomSearch random(s, 1);
  for (int i = 0; i < 20; ++i) {
    const auto c = gp.suggest(level(0));
    gp.observe(c, level(0), toy(c));
  }
  CHECK(gp.last().from_model);
  // The next 10 suggestions (still observed as they come). Once the incumbent cannot be
  // improved by xi, EI explores far away now and then: count the close ones.
  int gp_close = 0, random_close = 0;
  double gp_best = 1e9, random_best = 1e9;
  for (int i = 0; i < 10; ++i) {
    const auto c = gp.suggest(level(0));
    gp.observe(c, level(0), toy(c));
    gp_close += distance(c) < 0.1;
    gp_best = std::min(gp_best, toy(c));
    const auto r = random.suggest(level(0));
    random_close += distance(r) < 0.1;
    random_best = std::min(random_best, toy(r));
  }
  MESSAGE("suggestions within 0.1 of the optimum (of 10): GP ", gp_close, ", random ", random_close);
  CHECK(gp_close >= 6);
  CHECK(gp_close >= random_close + 4);
  CHECK(gp_best < 0.1 * random_best);
}

TEST_CASE("optimizers: GP never sets an inactive parameter, in a nested conditional space") {
  const auto s = conditional_space();
  GpOptimizer gp(s, quick(), 7);
  std::size_t from_model = 0;
  for (int i = 0; i < 40; ++i) {
    const auto c = gp.suggest(level(0));
    REQUIRE_NOTHROW(s.validate(c));  // every active parameter set, no inactive one
    from_model += gp.last().from_model;
    gp.observe(c, level(0), conditional_objective(c));
  }
  CHECK(from_model > 20);
  CHECK(gp.min_points() == s.dimension() + 3);
  const auto h = gp.hyperparameters(0);
  REQUIRE(h);
  CHECK(h->length_scales.size() == static_cast<Eigen::Index>(s.dimension()));
  CHECK(h->to_log().allFinite());
}

TEST_CASE("optimizers: GP is deterministic for a seed") {
  const auto s = conditional_space();
  const auto run = [&](std::uint64_t seed) {
    GpOptimizer gp(s, quick(), seed);
    std::vector<space::Config> out;
    for (int i = 0; i < 20; ++i) {
      out.push_back(gp.suggest(level(0)));
      gp.observe(out.back(), level(0), conditional_objective(out.back()));
    }
    return out;
  };
  const auto a = run(3), b = run(3), c = run(4);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("optimizers: GP works on a categorical-only space and on a one-parameter space") {
  SUBCASE("categorical only") {
    const space::SearchSpace s({space::categorical("a", {"x", "y", "z"}), space::categorical("b", {"p", "q"}),
                                space::categorical("c", {"only"})});
    GpOptimizer gp(s, quick(), 2);
    for (int i = 0; i < 25; ++i) {
      const auto c = gp.suggest(level(0));
      REQUIRE_NOTHROW(s.validate(c));
      if (gp.last().from_model) CHECK_FALSE(std::isnan(gp.last().score));
      const double v = (c.at("a") == space::Value{"y"} ? 0.0 : 1.0) + (c.at("b") == space::Value{"q"} ? 0.0 : 0.5);
      gp.observe(c, level(0), v);
    }
    CHECK(gp.hyperparameters(0));
    CHECK(gp.hyperparameters(0)->to_log().allFinite());
  }
  SUBCASE("one integer parameter") {
    const space::SearchSpace s({space::integer("n", 1, 6)});
    GpOptimizer gp(s, quick(), 2);
    int model_suggestions = 0;
    for (int i = 0; i < 15; ++i) {
      const auto c = gp.suggest(level(0));
      REQUIRE_NOTHROW(s.validate(c));
      if (gp.last().from_model) {
        ++model_suggestions;
        CHECK(std::isfinite(gp.last().log_marginal_likelihood));
      }
      gp.observe(c, level(0), std::abs(static_cast<double>(std::get<std::int64_t>(c.at("n"))) - 4));
    }
    CHECK(model_suggestions > 5);
  }
  SUBCASE("empty space") {
    GpOptimizer gp(space::SearchSpace{}, quick(), 2);
    CHECK(gp.suggest(level(0)).empty());
    gp.observe({}, level(0), 1.0);
  }
}

TEST_CASE("optimizers: GP treats NaN and inf as the worst value and keeps modeling") {
  const auto s = toy_space();
  GpSettings settings = quick();
  settings.random_fraction = 0;
  GpOptimizer gp(s, settings, 9);
  const double inf = std::numeric_limits<double>::infinity();
  for (int i = 0; i < 30; ++i) {
    const auto c = gp.suggest(level(0));
    REQUIRE_NOTHROW(s.validate(c));
    // Everything with x < -1 fails, half of it as NaN, half as inf.
    const double v = std::get<double>(c.at("x")) < -1 ? (i % 2 ? inf : std::nan("")) : toy(c);
    gp.observe(c, level(0), v);
    if (i >= 5) {
      CHECK(gp.last().from_model);
      CHECK(std::isfinite(gp.last().log_marginal_likelihood));
      CHECK_FALSE(std::isnan(gp.last().score));
    }
  }
  // All failures at a level: constant targets, still no NaN.
  GpOptimizer all_fail(s, settings, 9);
  for (int i = 0; i < 8; ++i) {
    const auto c = all_fail.suggest(level(0));
    REQUIRE_NOTHROW(s.validate(c));
    all_fail.observe(c, level(0), std::nan(""));
  }
  CHECK(all_fail.last().from_model);
  CHECK(std::isfinite(all_fail.last().log_marginal_likelihood));
}

TEST_CASE("optimizers: GP models the largest budget level with enough points, and caps the training set") {
  const auto s = toy_space();
  GpSettings settings = quick();
  settings.random_fraction = 0;
  settings.min_points = 4;
  settings.max_points = 12;
  GpOptimizer gp(s, settings, 5);
  CHECK_FALSE(gp.model_level());
  for (int i = 0; i < 3; ++i) {
    const auto c = gp.suggest(level(0));
    gp.observe(c, level(0), toy(c));
    gp.observe(c, level(1), toy(c) / 2);
  }
  CHECK_FALSE(gp.model_level());
  CHECK_FALSE(gp.last().from_model);
  auto c = gp.suggest(level(0));
  gp.observe(c, level(0), toy(c));
  CHECK(gp.model_level() == 0u);
  gp.suggest(level(0));
  CHECK(gp.last().from_model);
  CHECK(gp.last().level == 0u);
  c = gp.suggest(level(0));
  gp.observe(c, level(1), toy(c));
  CHECK(gp.model_level() == 1u);  // even when a lower budget is asked for
  gp.suggest(level(0));
  CHECK(gp.last().level == 1u);
  CHECK(gp.observations(1) == 4u);

  for (int i = 0; i < 20; ++i) {
    c = gp.suggest(level(2));
    gp.observe(c, level(1), toy(c));
  }
  gp.suggest(level(0));
  CHECK(gp.last().training_points == 12u);
  CHECK(gp.observations(1) == 24u);
}

TEST_CASE("optimizers: GP refits hyperparameters every refit_every observations and reuses them between") {
  const auto s = toy_space();
  GpSettings settings = quick();
  settings.random_fraction = 0;
  settings.min_points = 5;
  settings.refit_every = 4;
  GpOptimizer gp(s, settings, 8);
  std::vector<int> refits;
  for (int i = 0; i < 14; ++i) {
    const auto c = gp.suggest(level(0));
    if (gp.last().refitted) refits.push_back(i);
    gp.observe(c, level(0), toy(c));
  }
  // Suggestion i sees i observations: fits at 5, 9 and 13.
  CHECK(refits == std::vector<int>{5, 9, 13});
}

TEST_CASE("optimizers: GP with the lower confidence bound also beats random search") {
  const auto s = toy_space();
  GpSettings settings = quick();
  settings.acquisition = optimizers::GpAcquisition::lower_confidence_bound;
  GpOptimizer gp(s, settings, 12);
  optimizers::RandomSearch random(s, 12);
  double gp_best = 1e9, random_best = 1e9;
  for (int i = 0; i < 25; ++i) {
    const auto c = gp.suggest(level(0));
    gp.observe(c, level(0), toy(c));
    gp_best = std::min(gp_best, toy(c));
    random_best = std::min(random_best, toy(random.suggest(level(0))));
  }
  CHECK(gp_best < 0.2 * random_best);
}

TEST_CASE("optimizers: GP spreads out suggestions made before their results arrive") {
  const auto s = toy_space();
  GpSettings settings = quick();
  settings.random_fraction = 0;
  GpOptimizer gp(s, settings, 4);
  for (int i = 0; i < 12; ++i) {
    const auto c = gp.suggest(level(0));
    gp.observe(c, level(0), toy(c));
  }
  // Four concurrent starts (a bracket handing out work): all model-based, all different.
  std::vector<space::Config> batch;
  for (int i = 0; i < 4; ++i) {
    batch.push_back(gp.suggest(level(0)));
    CHECK(gp.last().from_model);
    CHECK(gp.last().pending_points == static_cast<std::size_t>(i));
  }
  for (std::size_t i = 0; i < batch.size(); ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const double dx = std::get<double>(batch[i].at("x")) - std::get<double>(batch[j].at("x"));
      const double dy = std::get<double>(batch[i].at("y")) - std::get<double>(batch[j].at("y"));
      CHECK(std::hypot(dx, dy) > 0.05);
    }
  for (const auto& c : batch) gp.observe(c, level(0), toy(c));
  gp.suggest(level(0));
  CHECK(gp.last().pending_points == 0u);
}

TEST_CASE("optimizers: GP acquisition search finds the maximum of a known score") {
  const auto s = conditional_space();
  // Best: adam with a step schedule and decay at its upper end (u = 1), lr in the middle.
  const optimizers::gp::BatchScore score = [](const Eigen::MatrixXd& e) {
    Eigen::VectorXd out(e.rows());
    for (Eigen::Index r = 0; r < e.rows(); ++r)
      out[r] = -std::abs(e(r, 1) - 0.5) + (std::isnan(e(r, 4)) ? -1.0 : e(r, 4));
    return out;
  };
  optimizers::gp::SearchOptions options;
  options.candidates = 50;
  std::mt19937_64 rng(1);
  const optimizers::gp::Proposal p = optimizers::gp::maximize_acquisition(s, score, {}, options, rng);
  REQUIRE_NOTHROW(s.validate(p.config));
  CHECK(p.config.at("schedule") == space::Value{"step"});
  CHECK(std::get<double>(p.config.at("decay")) > 0.8);
  CHECK(p.score > 0.9);
}

TEST_CASE("optimizers: GP settings are checked at construction") {
  const auto s = toy_space();
  const auto message = [&](GpSettings settings) -> std::string {
    try {
      GpOptimizer gp(s, settings, 1);
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "";
  };
  GpSettings bad;
  bad.random_fraction = 1.5;
  CHECK(message(bad).find("random_fraction = 1.5") != std::string::npos);
  bad = {};
  bad.xi = -0.1;
  CHECK(message(bad).find("xi = -0.1") != std::string::npos);
  bad = {};
  bad.min_points = 600;
  CHECK(message(bad).find("min_points = 600") != std::string::npos);
  bad = {};
  bad.refit_every = 0;
  CHECK(message(bad).find("refit_every") != std::string::npos);
  CHECK(message(GpSettings{}).empty());
}
