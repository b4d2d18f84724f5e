// Random search's prior/uniform split follows the evidence (optimizers/prior_evidence.hpp): a
// prior whose draws reach the top keeps its half of the draws, one whose draws never do fades.
#include <doctest/doctest.h>

#include <cmath>

#include "optimizers/prior_evidence.hpp"
#include "optimizers/prior_weighting.hpp"
#include "optimizers/random_search.hpp"
#include "space/prior.hpp"

using namespace rungs;
using optimizers::kPriorShare;
using optimizers::PriorEvidence;

namespace {

Eigen::VectorXd point(double x) { return Eigen::VectorXd::Constant(1, x); }

// n results at level 0, alternately drawn from the prior and uniformly; `prior_wins`: the
// prior's draws have the better values.
PriorEvidence evidence(int n, bool prior_wins) {
  PriorEvidence e;
  for (int i = 0; i < n; ++i) {
    const bool from_prior = i % 2 == 0;
    e.drawn(point(i), from_prior);
    e.observed(point(i), 0, from_prior == prior_wins ? i : 1000 + i);
  }
  return e;
}

fidelity::Budget level(std::size_t l) { return {l, 1.0 + static_cast<double>(l), {{"epochs", 1.0 + static_cast<double>(l)}}}; }

}  // namespace

TEST_CASE("prior evidence: the even split until there is evidence, kept by a prior whose draws win") {
  CHECK(PriorEvidence().share() == kPriorShare);
  CHECK(evidence(optimizers::kMinEvidence - 1, false).share() == kPriorShare);  // too little
  CHECK(evidence(40, true).share() == kPriorShare);
}

TEST_CASE("prior evidence: a prior whose draws never reach the top fades as the top fills") {
  const double few = evidence(8, false).share(), many = evidence(40, false).share();
  // n = 8: top 2, 1 expected from the prior, none: 0.5 * 1 / 2; n = 40: top 10, 5 expected: 0.5 / 6.
  CHECK(few == doctest::Approx(kPriorShare / 2));
  CHECK(many == doctest::Approx(kPriorShare / 6));
}

TEST_CASE("prior evidence: the highest level with enough results decides, unknown configurations are ignored") {
  PriorEvidence e = evidence(40, true);
  for (int i = 0; i < 8; ++i) {
    e.drawn(point(100 + i), i % 2 == 0);
    e.observed(point(100 + i), 1, i % 2 == 0 ? 50.0 + i : static_cast<double>(i));  // at level 1 the prior loses
  }
  e.observed(point(-1), 1, -5);  // never drawn here (a queued configuration)
  CHECK(e.share() == doctest::Approx(kPriorShare / 2));
}

TEST_CASE("random search with a misleading prior draws less and less from it") {
  // The prior sits at x = 0.9 with high confidence; results are best near x = 0.1. `blind` is
  // the same search told nothing: it keeps the even split.
  space::Parameter x = space::real("x", 0, 1);
  x.prior = space::NumericPrior{0.9, 0.05};
  const space::SearchSpace space({x});
  optimizers::RandomSearch search(space, 11), blind(space, 11);
  const auto near_prior = [](optimizers::RandomSearch& s, int draws, bool observe) {
    int near = 0;
    for (int i = 0; i < draws; ++i) {
      const auto config = s.suggest(level(0));
      const double v = std::get<double>(config.at("x"));
      near += std::abs(v - 0.9) < 0.05;  // 68 % of the prior's draws, 10 % of uniform ones
      if (observe) s.observe(config, level(0), std::abs(v - 0.1));
    }
    return near;
  };
  near_prior(search, 40, true);
  near_prior(blind, 40, false);
  const int informed = near_prior(search, 400, false), even = near_prior(blind, 400, false);
  CAPTURE(informed);
  CAPTURE(even);
  CHECK(even > 400 * 0.3);        // 39 % expected
  CHECK(informed < 400 * 0.22);   // share 0.5 / 6 or so after 40 results: 15 % expected
}
