#pragma once
// Drawing values from a domain with a std::mt19937_64.
//
// The draws are built directly on the engine's 64-bit output instead of the standard
// distributions: std::uniform_real_distribution and friends are implementation-defined, so
// the same seed would give different campaigns under libstdc++ and libc++. With these, a seed
// means the same sequence of configurations on every platform.
#include <cstdint>
#include <random>

#include "space/parameter.hpp"

namespace rungs::space {

// Uniform in [0, 1): the top 53 bits of one engine output, scaled by 2^-53.
double uniform01(std::mt19937_64& rng);

// Standard normal (Box-Muller on two uniform01 draws).
double standard_normal(std::mt19937_64& rng);

// Uniform integer in [low, high], both inclusive, without modulo bias (rejection sampling).
// Requires low <= high.
std::int64_t uniform_int(std::mt19937_64& rng, std::int64_t low, std::int64_t high);

// One value from `domain`, of the domain's type (see parameter.hpp):
//  - float, linear: low + u (high - low);
//  - float, log: exp(log low + u (log high - log low)), i.e. log-uniform;
//  - int, linear: uniform over the integers, each equally likely;
//  - int, log: log-uniform over [low - 0.5, high + 0.5], then rounded, so each integer k gets
//    the log-length of [k - 0.5, k + 0.5] (small values are denser, as with floats), and the
//    same slices as its [0,1] encoding (encoding.hpp);
//  - categorical: each choice equally likely.
// Results are clamped to [low, high] against floating-point rounding at the ends.
// Requires a valid domain (SearchSpace checks that).
Value sample_value(const Domain& domain, std::mt19937_64& rng);

}  // namespace rungs::space
