// The optimizers learn where the constraints hold (c-TPE; the GP's probability of
// feasibility), and TPE's split with several objectives follows MOTPE's rule.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "optimizers/gp/gp_optimizer.hpp"
#include "optimizers/random_search.hpp"
#include "optimizers/tpe/tpe.hpp"

using namespace rungs;

namespace {

fidelity::Budget level0() { return {0, 1.0, {{"epochs", 1.0}}}; }

double x_of(const space::Config& c) { return std::get<double>(c.at("x")); }

// minimize x on [0, 1] subject to x >= 0.6: the unconstrained optimum is infeasible.
optimizers::Measures measures_at(double x) { return {{(0.6 - x) / 1.0}, {}}; }

// The share of `n` suggestions at or near the feasible region (x >= 0.55: the optimum is on
// the boundary, which a model-based optimizer straddles), after `warmup` observations of the
// optimizer's own suggestions.
double feasible_share(optimizers::Optimizer& optimizer, bool tell_constraints, int warmup, int n) {
  for (int i = 0; i < warmup; ++i) {
    const auto config = optimizer.suggest(level0());
    const double x = x_of(config);
    if (tell_constraints) optimizer.observe_measured(config, level0(), x, measures_at(x));
    else optimizer.observe(config, level0(), x);
  }
  int feasible = 0;
  for (int i = 0; i < n; ++i) {
    const auto config = optimizer.suggest(level0());
    const double x = x_of(config);
    feasible += x >= 0.55;
    if (tell_constraints) optimizer.observe_measured(config, level0(), x, measures_at(x));
    else optimizer.observe(config, level0(), x);
  }
  return static_cast<double>(feasible) / n;
}

}  // namespace

TEST_CASE("c-TPE: with the constraint's margins TPE proposes mostly feasible points, without, mostly not") {
  const space::SearchSpace space({space::real("x", 0, 1)});
  optimizers::TpeSettings settings;
  settings.random_fraction = 0;
  optimizers::Tpe aware(space, settings, 5);
  optimizers::Tpe blind(space, settings, 5);
  const double with = feasible_share(aware, true, 40, 40);
  const double without = feasible_share(blind, false, 40, 40);
  CAPTURE(with);
  CAPTURE(without);
  CHECK(with > 0.7);
  CHECK(without < 0.3);
}

TEST_CASE("GP: EI weighted by the probability of feasibility keeps suggestions feasible") {
  const space::SearchSpace space({space::real("x", 0, 1)});
  optimizers::GpSettings settings;
  settings.candidates = 200;
  settings.local_search_steps = 8;
  settings.restarts = 2;
  settings.random_fraction = 0;
  optimizers::GpOptimizer aware(space, settings, 5);
  optimizers::GpOptimizer blind(space, settings, 5);
  const double with = feasible_share(aware, true, 15, 15);
  const double without = feasible_share(blind, false, 15, 15);
  CAPTURE(with);
  CAPTURE(without);
  CHECK(with > 0.4);  // measured 0.53: once EI underflows on the boundary it explores
  CHECK(without < 0.3);
}

TEST_CASE("random search ignores constraints: the same suggestions with or without them") {
  const space::SearchSpace space({space::real("x", 0, 1)});
  optimizers::RandomSearch a(space, 9), b(space, 9);
  for (int i = 0; i < 20; ++i) {
    const auto ca = a.suggest(level0()), cb = b.suggest(level0());
    CHECK(ca == cb);
    a.observe_measured(ca, level0(), x_of(ca), measures_at(x_of(ca)));
    b.observe(cb, level0(), x_of(cb));
  }
}

TEST_CASE("MOTPE: a level with two objectives is ranked by front, then hypervolume contribution") {
  optimizers::tpe::Observations observations(1);
  Eigen::VectorXd point(1);
  // Front: (0, 1), (0.5, 0.5), (1, 0), (0.9, 0.05); dominated: (0.6, 0.6), then failed.
  const std::vector<std::vector<double>> objectives = {{0.6, 0.6}, {0, 1}, {1, 0}, {0.5, 0.5}, {0.9, 0.05}};
  for (std::size_t i = 0; i < objectives.size(); ++i) {
    point[0] = static_cast<double>(i) / 10;
    observations.add(0, 1, point, objectives[i][0], {{}, objectives[i]});
  }
  point[0] = 0.9;
  observations.add(0, 1, point, std::nan(""), {{}, {std::nan(""), 1.0}});
  const auto order = optimizers::tpe::rank_order(*observations.level(0));
  // Contributions (reference 1 beyond the front's worst): (0,1): 0.5 x 1 = 0.5; (0.5,0.5):
  // 0.4 x 0.5 = 0.2; (0.9,0.05): 0.1 x 0.45 = 0.045; (1,0): 1 x 0.05 = 0.05.
  CHECK(order == std::vector<std::size_t>{1, 3, 2, 4, 0, 5});
}
