// PB2's explore bandit (optimizers/gp/pb2_bandit.hpp) and its time-varying GP (tv_gp.hpp):
// the kernel's formula and likelihood gradient, the choice moving to where the intervals
// improved most (and to where they improve NOW when the best region moved over time), bounds
// and conditions kept, pending runs pushing the choice away, determinism.
#include <doctest/doctest.h>

#include <cmath>
#include <random>
#include <vector>

#include "optimizers/gp/pb2_bandit.hpp"
#include "optimizers/gp/tv_gp.hpp"
#include "space/encoding.hpp"
#include "space/sampling.hpp"

using namespace rungs;
using namespace rungs::optimizers;
using namespace rungs::optimizers::gp;

namespace {

space::SearchSpace lr_space() {
  return space::SearchSpace({space::real("lr", 1e-4, 1.0, space::Scale::log), space::real("wd", 0.0, 0.1)});
}

// Where lr sits on its [0,1] (log) encoding.
double u_of(const space::Config& c) {
  return space::encode_number(space::FloatDomain{1e-4, 1.0, space::Scale::log}, std::get<double>(c.at("lr")));
}

space::Config at_u(double u, double wd) { return {{"lr", std::pow(10.0, -4.0 + 4.0 * u)}, {"wd", wd}}; }

// `per_time` random configurations at each of the times, improvement peaked at best(t).
template <class Best>
std::vector<IntervalResult> history(Best best, int times, int per_time, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<IntervalResult> out;
  for (int t = 1; t <= times; ++t)
    for (int i = 0; i < per_time; ++i) {
      const double u = space::uniform01(rng);
      const double gap = u - best(t);
      out.push_back({static_cast<double>(t), at_u(u, 0.1 * space::uniform01(rng)), std::exp(-gap * gap / (2 * 0.1 * 0.1))});
    }
  return out;
}

}  // namespace

TEST_CASE("tv gp: the kernel forgets with time as (1 - eps)^{|t - t'|/2}, the likelihood gradient matches finite differences") {
  const TvHyperparameters h{0.3, 2.0, 0.01, 0.2};
  Eigen::MatrixXd a(1, 2), b(1, 2);
  a << 0.1, 0.5;
  b << 0.4, 0.1;
  const double se = std::exp(-(0.09 + 0.16) / (2 * 0.09));
  CHECK(TimeVaryingGp::cross(a, Eigen::VectorXd::Constant(1, 1), b, Eigen::VectorXd::Constant(1, 5), h)(0, 0) ==
        doctest::Approx(2.0 * std::pow(0.8, 2.0) * se));
  CHECK(TimeVaryingGp::cross(a, Eigen::VectorXd::Constant(1, 3), a, Eigen::VectorXd::Constant(1, 3), h)(0, 0) ==
        doctest::Approx(2.0));

  std::mt19937_64 rng(3);
  Eigen::MatrixXd x(12, 2);
  Eigen::VectorXd t(12), y(12);
  for (int i = 0; i < 12; ++i) {
    x(i, 0) = space::uniform01(rng), x(i, 1) = space::uniform01(rng);
    t[i] = i / 3;
    y[i] = std::sin(4 * x(i, 0)) + 0.1 * t[i];
  }
  const Eigen::Vector4d theta = h.to_log();
  const Eigen::Vector4d grad = TimeVaryingGp(x, t, y, h).log_marginal_likelihood_gradient();
  for (int j = 0; j < 4; ++j) {
    Eigen::Vector4d up = theta, down = theta;
    up[j] += 1e-5, down[j] -= 1e-5;
    const double numeric = (TimeVaryingGp(x, t, y, TvHyperparameters::from_log(up)).log_marginal_likelihood() -
                            TimeVaryingGp(x, t, y, TvHyperparameters::from_log(down)).log_marginal_likelihood()) /
                           2e-5;
    CAPTURE(j);
    CHECK(grad[j] == doctest::Approx(numeric).epsilon(1e-4));
  }
}

TEST_CASE("pb2 bandit: the choice moves to the region whose intervals improved most") {
  Pb2Bandit bandit(lr_space());
  const auto data = history([](int) { return 0.7; }, 4, 6, 11);
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    std::mt19937_64 rng(seed);
    const auto chosen = bandit.select(at_u(0.2, 0.05), 5, data, {}, rng);
    CAPTURE(seed);
    CHECK(std::abs(u_of(chosen) - 0.7) < 0.15);
  }
}

TEST_CASE("pb2 bandit: when the best region moves over time, it follows the recent intervals") {
  // Best at u = 0.25 for intervals 1-4, at 0.75 for 5-8: a static GP would see two bumps.
  Pb2Bandit bandit(lr_space());
  const auto data = history([](int t) { return t <= 4 ? 0.25 : 0.75; }, 8, 4, 5);
  int near_new = 0;
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    std::mt19937_64 rng(seed);
    near_new += std::abs(u_of(bandit.select(at_u(0.25, 0.05), 9, data, {}, rng)) - 0.75) < 0.15;
  }
  CHECK(near_new == 5);
}

TEST_CASE("pb2 bandit: bounds, categoricals and conditions are kept") {
  const space::SearchSpace s({space::categorical("optimizer", {"sgd", "adam"}), space::real("lr", 1e-4, 1.0, space::Scale::log),
                              space::real("momentum", 0.0, 0.95).when("optimizer", {"sgd"}),
                              space::real("beta1", 0.5, 0.99).when("optimizer", {"adam"}), space::integer("layers", 1, 3),
                              space::integer("width2", 8, 64).when("layers", {2, 3})});
  Pb2Bandit bandit(s);
  std::mt19937_64 rng(8);
  std::vector<IntervalResult> data;
  for (int i = 0; i < 30; ++i) {
    const auto c = s.sample(rng);
    data.push_back({1.0 + i / 10, c, space::uniform01(rng)});
  }
  for (int i = 0; i < 20; ++i) {
    const auto start = s.sample(rng);
    const auto chosen = bandit.select(start, 4, data, {}, rng);
    CHECK_NOTHROW(s.validate(chosen));  // in bounds, exactly the active parameters
    CHECK(chosen.at("optimizer") == start.at("optimizer"));  // categoricals are PBT's
    CHECK(chosen.count("momentum") == start.count("momentum"));
  }
  std::mt19937_64 again(1);
  const auto start = s.sample(again);
  CHECK(bandit.select(start, 4, {data.front()}, {}, again) == start);  // too little history: start as it is
}

TEST_CASE("pb2 bandit: a pending run lowers the UCB around it, the same engine state gives the same choice") {
  // No signal (every improvement equal): UCB is the exploration term alone, so the choice goes
  // where the GP knows least, away from the data (u in [0, 0.5]) and from the pending run.
  const auto s = lr_space();
  Pb2Bandit bandit(s);
  std::vector<IntervalResult> data;
  for (int i = 0; i <= 10; ++i) data.push_back({4, at_u(0.05 * i, 0.05), 1.0});
  std::mt19937_64 rng(2);
  const auto alone = bandit.select(at_u(0.3, 0.05), 4, data, {}, rng);
  CHECK(u_of(alone) > 0.7);
  std::mt19937_64 rng2(2);
  const auto beside = bandit.select(at_u(0.3, 0.05), 4, data, {alone}, rng2);
  CHECK((s.encode(beside) - s.encode(alone)).norm() > 0.3);

  std::mt19937_64 a(9), b(9);
  const auto busy = history([](int) { return 0.4; }, 3, 5, 2);
  CHECK(bandit.select(at_u(0.5, 0.05), 4, busy, {}, a) == bandit.select(at_u(0.5, 0.05), 4, busy, {}, b));
  CHECK(Pb2Bandit::kappa(10) == doctest::Approx(std::sqrt(0.2 + std::log(4.0))));
  CHECK(Pb2Bandit::kappa(1) == doctest::Approx(std::sqrt(0.2)));
}
