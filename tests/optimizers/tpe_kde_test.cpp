// The TPE kernel density (optimizers/tpe/kde.hpp): normalized in every kind of coordinate,
// inactive coordinates included; bandwidths by the documented rules; proposals inside [0,1].
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "optimizers/tpe/kde.hpp"

using rungs::optimizers::tpe::choice_of;
using rungs::optimizers::tpe::Coordinate;
using rungs::optimizers::tpe::coordinates_of;
using rungs::optimizers::tpe::Kde;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Fits rows given as vectors.
Kde fit(const std::vector<Coordinate>& coordinates, const std::vector<std::vector<double>>& rows) {
  std::vector<const double*> pointers;
  for (const auto& r : rows) pointers.push_back(r.data());
  return Kde(coordinates, pointers);
}

// Simpson's rule of f over [0,1] with `intervals` (even) intervals.
template <class F>
double integrate01(F f, int intervals = 20000) {
  const double h = 1.0 / intervals;
  double sum = f(0.0) + f(1.0);
  for (int i = 1; i < intervals; ++i) sum += (i % 2 ? 4.0 : 2.0) * f(i * h);
  return sum * h / 3.0;
}

Coordinate continuous(double min_bandwidth = 1e-3) { return {0, min_bandwidth}; }
Coordinate categorical(std::size_t k) { return {k, 1e-3}; }

}  // namespace

TEST_CASE("tpe kde: a continuous density integrates to 1 over [0,1], at the ends too") {
  const std::vector<Coordinate> dims{continuous()};
  for (const auto& rows : std::vector<std::vector<std::vector<double>>>{
           {{0.02}, {0.3}, {0.31}, {0.9}, {0.99}},  // spread: Scott's bandwidth
           {{0.0}, {0.0}, {0.0}},                   // one point at the end: min bandwidth
           {{1.0}, {0.5}}}) {
    const Kde kde = fit(dims, rows);
    const double mass = integrate01([&](double x) { return std::exp(kde.log_density(&x)); },
                                    kde.bandwidth(0) < 0.01 ? 200000 : 20000);
    CHECK(mass == doctest::Approx(1.0).epsilon(1e-4));
  }
}

TEST_CASE("tpe kde: bandwidths follow the normal reference rule and their floors") {
  const std::vector<std::vector<double>> rows{{0.1}, {0.2}, {0.4}, {0.7}};
  const Kde kde = fit({continuous()}, rows);
  // sigma (ddof 0) of {0.1, 0.2, 0.4, 0.7}: mean 0.35, variance 0.0525.
  CHECK(kde.bandwidth(0) == doctest::Approx(1.06 * std::sqrt(0.0525) * std::pow(4.0, -1.0 / 5.0)));
  CHECK(fit({continuous()}, {{0.5}, {0.5}}).bandwidth(0) == doctest::Approx(1e-3));

  // Integers: at least half a slice (0.5 / 5 for 1..5), whatever the data.
  const rungs::space::SearchSpace space({rungs::space::integer("n", 1, 5),
                                         rungs::space::real("x", 0, 1),
                                         rungs::space::categorical("c", {"a", "b", "c"})});
  const auto coordinates = coordinates_of(space, 1e-3);
  REQUIRE(coordinates.size() == 3);
  CHECK(coordinates[0].min_bandwidth == doctest::Approx(0.1));
  CHECK(coordinates[0].choices == 0);
  CHECK(coordinates[1].min_bandwidth == doctest::Approx(1e-3));
  CHECK(coordinates[2].choices == 3);
  const double slice_centre = 0.5;  // n = 3
  const Kde same = fit({coordinates[0]}, {{slice_centre}, {slice_centre}});
  CHECK(same.bandwidth(0) == doctest::Approx(0.1));
}

TEST_CASE("tpe kde: a categorical density sums to 1, lambda is clipped to a sane range") {
  const std::size_t k = 4;
  const auto at = [&](std::size_t choice) { return (static_cast<double>(choice) + 0.5) / k; };
  SUBCASE("spread data") {
    const Kde kde = fit({categorical(k)}, {{at(0)}, {at(1)}, {at(1)}, {at(3)}, {at(2)}, {at(1)}});
    double sum = 0;
    for (std::size_t c = 0; c < k; ++c) {
      const double x = at(c);
      sum += std::exp(kde.log_density(&x));
    }
    CHECK(sum == doctest::Approx(1.0));
    CHECK(kde.bandwidth(0) <= 0.75);
    // The most frequent choice is the most likely.
    const double x1 = at(1), x0 = at(0);
    CHECK(kde.log_density(&x1) > kde.log_density(&x0));
  }
  SUBCASE("one choice observed: lambda at its floor, no zero probability") {
    const Kde kde = fit({categorical(k)}, {{at(2)}, {at(2)}, {at(2)}});
    CHECK(kde.bandwidth(0) == doctest::Approx(1e-3));
    const double x = at(0);
    CHECK(std::isfinite(kde.log_density(&x)));
  }
  SUBCASE("very spread codes: lambda never beyond uniform") {
    // Codes {0, 2} of 3: sigma = 1, 1.06 * 2^(-1/5) = 0.92 > 2/3.
    const Kde kde = fit({categorical(3)}, {{0.5 / 3}, {2.5 / 3}});
    CHECK(kde.bandwidth(0) == doctest::Approx(2.0 / 3.0));
  }
  CHECK(choice_of(1.0, 4) == 3);
  CHECK(choice_of(0.0, 4) == 0);
  CHECK(choice_of(0.26, 4) == 1);
}

TEST_CASE("tpe kde: a mixed categorical x continuous density integrates to 1") {
  const std::vector<Coordinate> dims{categorical(3), continuous()};
  const Kde kde = fit(dims, {{0.5, 0.1}, {0.5, 0.15}, {0.1, 0.8}, {0.9, 0.95}, {0.5, 0.0}});
  double mass = 0;
  for (std::size_t c = 0; c < 3; ++c)
    mass += integrate01([&](double x) {
      const double point[2] = {(static_cast<double>(c) + 0.5) / 3, x};
      return std::exp(kde.log_density(point));
    });
  CHECK(mass == doctest::Approx(1.0).epsilon(1e-4));
}

TEST_CASE("tpe kde: inactive coordinates keep the density normalized on the conditional space") {
  // parent in {a, b}; child in [0,1] active only for a. Points of both branches.
  const std::vector<Coordinate> dims{categorical(2), continuous()};
  const Kde kde = fit(dims, {{0.25, 0.2}, {0.25, 0.3}, {0.75, kNaN}, {0.75, kNaN}, {0.75, kNaN}});
  const double inactive[2] = {0.75, kNaN};
  const double p_b = std::exp(kde.log_density(inactive));
  const double p_a = integrate01([&](double x) {
    const double point[2] = {0.25, x};
    return std::exp(kde.log_density(point));
  });
  CHECK(p_a + p_b == doctest::Approx(1.0).epsilon(1e-4));
  // Three of five points are in branch b; lambda is small, so about 3/5 of the mass.
  CHECK(p_b == doctest::Approx(0.6).epsilon(0.05));
  // The child's density near the observed values beats far from them.
  const double near[2] = {0.25, 0.25}, far[2] = {0.25, 0.9};
  CHECK(kde.log_density(near) > kde.log_density(far));
  CHECK(std::isfinite(kde.log_density(far)));
}

TEST_CASE("tpe kde: batch and single evaluations agree, an empty KDE is -inf") {
  const std::vector<Coordinate> dims{continuous(), categorical(3)};
  const Kde kde = fit(dims, {{0.1, 0.5}, {0.7, kNaN}, {0.4, 0.1}});
  const std::vector<double> xs{0.1, 0.5, 0.9, 0.9, 0.3, kNaN};
  std::vector<double> out(3);
  kde.log_density(xs.data(), 3, out.data());
  for (std::size_t c = 0; c < 3; ++c) {
    CHECK(out[c] == doctest::Approx(kde.log_density(xs.data() + 2 * c)));
    CHECK(std::isfinite(out[c]));
  }
  const Kde empty;
  const double x[2] = {0.5, 0.5};
  CHECK(empty.log_density(x) == -std::numeric_limits<double>::infinity());
}

TEST_CASE("tpe kde: proposals stay in [0,1], centre choices, and fill inactive coordinates") {
  const std::vector<Coordinate> dims{continuous(), categorical(3), continuous()};
  const Kde kde = fit(dims, {{0.0, 0.5, kNaN}, {1.0, 0.5, kNaN}, {0.99, 0.5, kNaN}});
  std::mt19937_64 rng(3);
  int moved = 0;
  for (int s = 0; s < 500; ++s) {
    double out[3];
    kde.sample(rng, 3.0, out);
    CHECK(out[0] >= 0.0);
    CHECK(out[0] <= 1.0);
    const double scaled = out[1] * 3 - 0.5;
    CHECK(scaled == doctest::Approx(std::round(scaled)));
    moved += choice_of(out[1], 3) != 1;
    CHECK_FALSE(std::isnan(out[2]));
    CHECK(out[2] >= 0.0);
    CHECK(out[2] <= 1.0);
  }
  // lambda is at its floor (1e-3): the choice almost never moves.
  CHECK(moved < 10);
}
