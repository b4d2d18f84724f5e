#include "space/sampling.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace rungs::space {

double uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1p-53;
}

double standard_normal(std::mt19937_64& rng) {
  const double u1 = 1 - uniform01(rng);  // (0, 1]: log(u1) is finite
  const double u2 = uniform01(rng);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

std::int64_t uniform_int(std::mt19937_64& rng, std::int64_t low, std::int64_t high) {
  // Work in uint64 so that the full int64 range does not overflow.
  const std::uint64_t span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (span == std::numeric_limits<std::uint64_t>::max())
    return static_cast<std::int64_t>(rng());
  const std::uint64_t count = span + 1;
  // Accept only draws below the largest multiple of `count`, so every residue is equally
  // likely; at most half the draws are rejected, usually almost none.
  const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                              std::numeric_limits<std::uint64_t>::max() % count;
  std::uint64_t draw = rng();
  while (draw >= limit) draw = rng();
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + draw % count);
}

namespace {

Value sample_float(const FloatDomain& d, std::mt19937_64& rng) {
  const double u = uniform01(rng);
  double x = 0;
  if (d.scale == Scale::log) {
    const double a = std::log(d.low);
    const double b = std::log(d.high);
    x = std::exp(a + u * (b - a));
  } else {
    x = d.low + u * (d.high - d.low);
  }
  return std::clamp(x, d.low, d.high);
}

Value sample_int(const IntDomain& d, std::mt19937_64& rng) {
  if (d.scale == Scale::linear) return uniform_int(rng, d.low, d.high);
  const double a = std::log(static_cast<double>(d.low) - 0.5);
  const double b = std::log(static_cast<double>(d.high) + 0.5);
  const double x = std::exp(a + uniform01(rng) * (b - a));
  return std::clamp(static_cast<std::int64_t>(std::llround(x)), d.low, d.high);
}

Value sample_choice(const CategoricalDomain& d, std::mt19937_64& rng) {
  const auto last = static_cast<std::int64_t>(d.choices.size()) - 1;
  return d.choices[static_cast<std::size_t>(uniform_int(rng, 0, last))];
}

}  // namespace

Value sample_value(const Domain& domain, std::mt19937_64& rng) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) return sample_float(*d, rng);
  if (const auto* d = std::get_if<IntDomain>(&domain)) return sample_int(*d, rng);
  return sample_choice(std::get<CategoricalDomain>(domain), rng);
}

}  // namespace rungs::space
