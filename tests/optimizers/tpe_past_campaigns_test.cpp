// Past campaigns' observations in TPE (Optimizer::observe_past, tpe.hpp "Past campaigns"):
// they are the model until the campaign can model a level of its own, then a prior component
// whose weight fades as the campaign's own evidence grows, and faster when the past ranks the
// configurations both observed unlike the new campaign.
#include <doctest/doctest.h>

#include <cmath>
#include <memory>

#include "optimizers/start_queue.hpp"
#include "optimizers/tpe/tpe.hpp"

using namespace rungs;
using optimizers::Tpe;

namespace {

fidelity::Budget level(std::size_t l) {
  const double units = std::pow(3.0, static_cast<double>(l));
  return {l, units, {{"epochs", units}}};
}

const space::SearchSpace kSpace({space::real("x", 0, 1)});

// 40 past results at level 0 whose best are near `best`.
void feed_past(Tpe& tpe, double best) {
  for (int i = 0; i < 40; ++i) {
    const double x = (i + 0.5) / 40;
    tpe.observe_past({{"x", x}}, level(0), std::abs(x - best));
  }
}

double mean_suggestion(Tpe& tpe, int n) {
  double sum = 0;
  for (int i = 0; i < n; ++i) sum += std::get<double>(tpe.suggest(level(0)).at("x"));
  return sum / n;
}

}  // namespace

TEST_CASE("tpe past campaigns: with nothing of its own, the past is the model") {
  Tpe warm(kSpace, {.random_fraction = 0}, 1), cold(kSpace, {.random_fraction = 0}, 1);
  feed_past(warm, 0.9);
  CHECK(warm.observations() == 0);
  CHECK(warm.past_observations() == 40);
  CHECK_FALSE(warm.model_level());
  CHECK_FALSE(warm.past_weight());  // the past alone
  CHECK(mean_suggestion(warm, 50) > 0.75);
  CHECK(std::abs(mean_suggestion(cold, 200) - 0.5) < 0.1);  // the space's own sampling
}

TEST_CASE("tpe past campaigns: the past's pull fades as the campaign's own results grow") {
  // The past's optimum is at 0.9, a region the campaign has not tried: its own results lie in
  // [0, 0.5], best near 0.2. The past is the only opinion there, and it weighs less and less.
  Tpe tpe(kSpace, {}, 2), alone(kSpace, {}, 2);
  feed_past(tpe, 0.9);
  std::vector<double> pull, share;
  int observed = 0;
  for (int n : {6, 12, 24, 48}) {
    for (; observed < n; ++observed) {
      const double x = std::fmod(0.37 * observed + 0.05, 0.5);
      tpe.observe({{"x", x}}, level(0), std::abs(x - 0.2));
      alone.observe({{"x", x}}, level(0), std::abs(x - 0.2));
    }
    REQUIRE(tpe.model_level() == 0);
    pull.push_back(*tpe.log_ratio({{"x", 0.9}}) - *alone.log_ratio({{"x", 0.9}}));
    share.push_back(*tpe.past_weight() / (*tpe.past_weight() + n));
  }
  CAPTURE(pull[0]);
  CAPTURE(pull[3]);
  CHECK(pull[0] > 0.3);            // the past raises l/g at its optimum
  CHECK(pull[3] < pull[0] / 2);    // much less once the campaign has 48 results of its own
  for (std::size_t i = 1; i < share.size(); ++i) CHECK(share[i] < share[i - 1]);
}

TEST_CASE("tpe past campaigns: a past that ranks the shared configurations the other way weighs less") {
  // The first configurations a warm start runs are past ones: here 12 of the past's points,
  // whose new results are ranked against the past's own.
  const auto run = [](bool same_task) {
    Tpe tpe(kSpace, {}, 3);
    feed_past(tpe, 0.9);
    for (int i = 0; i < 40; i += 3) {
      const double x = (i + 0.5) / 40;
      tpe.observe({{"x", x}}, level(0), same_task ? std::abs(x - 0.9) : std::abs(x - 0.1));
    }
    return *tpe.past_weight();
  };
  const double agreeing = run(true), opposed = run(false);
  CAPTURE(agreeing);
  CAPTURE(opposed);
  CHECK(agreeing > 0);
  CHECK(opposed < agreeing / 2);
}

TEST_CASE("tpe past campaigns: a start queue passes them on as past") {
  auto owned = std::make_unique<Tpe>(kSpace, optimizers::TpeSettings{}, 4);
  Tpe& tpe = *owned;
  optimizers::StartQueue queue(std::move(owned), kSpace, {{{"x", 0.5}}});
  queue.observe_past({{"x", 0.5}}, level(0), 1.0);
  queue.observe({{"x", 0.25}}, level(0), 2.0);
  CHECK(tpe.past_observations() == 1);
  CHECK(tpe.observations() == 1);
}
