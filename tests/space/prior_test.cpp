// Priors on parameters (space/prior.hpp, space/prior_density.hpp): draws follow them, the
// density is a density on the [0,1] encoding, bad priors are refused naming the field, and the
// optimizers' prior/uniform mix (optimizers/prior_weighting.hpp) keeps half the draws uniform.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <random>

#include "optimizers/prior_weighting.hpp"
#include "optimizers/random_search.hpp"
#include "space/encoding.hpp"
#include "space/prior_density.hpp"
#include "spaces.hpp"

using namespace rungs;
using namespace rungs::space;

namespace {

// The share of `draws` whose coordinate `name` lies within `sigma` of `center` on the encoding.
template <typename Draw>
double share_near(const SearchSpace& space, const std::string& name, double center, double sigma, int draws, Draw draw) {
  const auto& domain = space.find(name)->domain;
  const double u0 = encode_number(domain, center);
  int near = 0;
  int active = 0;
  for (int i = 0; i < draws; ++i) {
    const Config config = draw();
    const auto it = config.find(name);
    if (it == config.end()) continue;
    ++active;
    near += std::fabs(encode_value(domain, it->second) - u0) <= sigma ? 1 : 0;
  }
  REQUIRE(active > 0);
  return static_cast<double>(near) / active;
}

}  // namespace

TEST_CASE("prior: draws follow the prior, far above uniform's share near the centre") {
  const auto space = testing::prior_space();
  std::mt19937_64 rng(11);
  // lr: centre 3e-3 on [1e-3, 1] log scale, sigma 1/8 of the log range. A normal puts 68% within
  // one sigma (a little more once truncated at 0, the centre being 0.16 from it); uniform 25%.
  const double prior_share = share_near(space, "lr", 3e-3, 0.125, 4000, [&] { return space.sample_prior(rng); });
  const double uniform_share = share_near(space, "lr", 3e-3, 0.125, 4000, [&] { return space.sample(rng); });
  CHECK(prior_share > 0.62);
  CHECK(prior_share < 0.80);
  CHECK(uniform_share < 0.30);
  // The int hidden (log scale, centre 64, sigma 1/4): about 68% vs 50% for uniform.
  CHECK(share_near(space, "hidden", 64, 0.25, 4000, [&] { return space.sample_prior(rng); }) > 0.62);
  // Categorical weights adam 3, sgd 1: adam three times in four.
  int adam = 0;
  for (int i = 0; i < 4000; ++i) adam += std::get<std::string>(space.sample_prior(rng).at("optimizer")) == "adam";
  CHECK(adam / 4000.0 == doctest::Approx(0.75).epsilon(0.04));
}

TEST_CASE("prior: conditional parameters are drawn from their prior only when active") {
  const auto space = testing::prior_space();
  std::mt19937_64 rng(5);
  int with_momentum = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto config = space.sample_prior(rng);
    REQUIRE_NOTHROW(space.validate(config));
    with_momentum += config.count("momentum") ? 1 : 0;
  }
  CHECK(with_momentum / 2000.0 == doctest::Approx(0.25).epsilon(0.1));  // sgd has weight 1 of 4
  // momentum: centre 0.9 of [0, 0.99], sigma 1/4: most draws near it, among those where it exists.
  CHECK(share_near(space, "momentum", 0.9, 0.25, 4000, [&] { return space.sample_prior(rng); }) > 0.6);
}

TEST_CASE("prior: the same seed gives the same draws") {
  const auto space = testing::prior_space();
  std::mt19937_64 a(3), b(3), c(4);
  bool differs = false;
  for (int i = 0; i < 50; ++i) {
    const auto x = space.sample_prior(a);
    CHECK(x == space.sample_prior(b));
    differs |= x != space.sample_prior(c);
  }
  CHECK(differs);
}

TEST_CASE("prior: log_prior is a density on the encoding, highest at the centre") {
  const Domain domain = FloatDomain{0, 10, Scale::linear};
  const Prior prior = NumericPrior{2, 0.1};
  // Integrates to 1 over [0,1] (midpoint rule), although the normal is cut at 0.
  double integral = 0;
  constexpr int kSteps = 20000;
  for (int i = 0; i < kSteps; ++i) integral += std::exp(prior_log_density(domain, prior, (i + 0.5) / kSteps)) / kSteps;
  CHECK(integral == doctest::Approx(1.0).epsilon(1e-4));
  CHECK(prior_log_density(domain, prior, 0.2) > prior_log_density(domain, prior, 0.3));
  CHECK(prior_log_density(domain, prior, 0.2) > prior_log_density(domain, prior, 0.1));

  // A categorical choice of probability p has density k p on its slice.
  const Domain choices = CategoricalDomain{{"a", "b", "c"}};
  const Prior weights = ChoicePrior{{{"a", 2.0}}};  // a: 2/4, b and c: 1/4
  CHECK(std::exp(prior_log_density(choices, weights, 1.0 / 6)) == doctest::Approx(1.5));
  CHECK(std::exp(prior_log_density(choices, weights, 0.5)) == doctest::Approx(0.75));

  // The space's sum: inactive parameters and parameters without a prior add nothing.
  const auto space = testing::prior_space();
  const auto plain = testing::optimizer_space();
  const Config config{{"optimizer", std::string("adam")}, {"lr", 3e-3}, {"beta1", 0.9}, {"hidden", std::int64_t{64}}};
  CHECK(plain.log_prior(plain.encode(config)) == 0.0);
  const auto& p = space.parameters();
  const auto z = space.encode(config);
  const double expected = prior_log_density(p[0].domain, *p[0].prior, z[0]) +
                          prior_log_density(p[1].domain, *p[1].prior, z[1]) +
                          prior_log_density(p[4].domain, *p[4].prior, z[4]);
  CHECK(space.log_prior(z) == doctest::Approx(expected));
  CHECK(space.has_prior());
  CHECK_FALSE(plain.has_prior());
}

TEST_CASE("prior: a prior that does not fit its parameter is refused, naming the field") {
  using testing::space_error;
  auto e = space_error([] { SearchSpace({real("lr", 1e-5, 1, Scale::log).with_prior(NumericPrior{3, 0.1})}); });
  CHECK(e.parameter() == "lr");
  CHECK(e.field() == "prior.center");
  CHECK(testing::mentions(e.message(), "outside"));
  e = space_error([] { SearchSpace({integer("n", 1, 8).with_prior(NumericPrior{4, 0})}); });
  CHECK(e.field() == "prior.confidence");
  e = space_error([] { SearchSpace({real("x", 0, 1).with_prior(NumericPrior{0.5, 2})}); });
  CHECK(e.field() == "prior.confidence");
  e = space_error([] { SearchSpace({categorical("o", {"sgd", "adam"}).with_prior(ChoicePrior{{{"adamw", 2.0}}})}); });
  CHECK(e.field() == "prior.weights.adamw");
  CHECK(testing::mentions(e.message(), "not a choice"));
  e = space_error([] { SearchSpace({categorical("o", {"sgd", "adam"}).with_prior(ChoicePrior{{{"sgd", 0.0}}})}); });
  CHECK(e.field() == "prior.weights.sgd");
  e = space_error([] { SearchSpace({categorical("o", {"sgd", "adam"}).with_prior(NumericPrior{0.5, 0.1})}); });
  CHECK(e.field() == "prior");
  e = space_error([] { SearchSpace({real("x", 0, 1).with_prior(ChoicePrior{})}); });
  CHECK(e.field() == "prior");
}

TEST_CASE("prior: random search draws half from the prior, half uniformly, no priors, no change") {
  const auto space = testing::prior_space();
  optimizers::RandomSearch search(space, 21);
  const fidelity::Budget budget;
  // Near lr's centre: about (0.68 + 0.21) / 2 = 0.45 of the mix (uniform: 0.21 within 1/8 of a
  // centre 0.16 from the end).
  const double share = share_near(space, "lr", 3e-3, 0.125, 4000, [&] { return search.suggest(budget); });
  CHECK(share > 0.38);
  CHECK(share < 0.52);

  // Without priors the draws are exactly the space's own, as before priors existed.
  const auto plain = testing::optimizer_space();
  std::mt19937_64 a(8), b(8);
  for (int i = 0; i < 20; ++i) CHECK(optimizers::sample_with_prior(plain, a) == plain.sample(b));
}
