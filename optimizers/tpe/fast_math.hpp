#pragma once
// Elementary functions for the KDE's inner loops, written so that GCC and Clang vectorize a
// loop of them (libm's exp and erf are opaque calls, one value at a time, and were most of the
// cost of fitting and scoring). Plain arithmetic and bit casts: the same bits on every
// platform, unlike libm. Internal to the TPE optimizer.
//
// Both exps use the Cody-Waite reduction x = k ln2 + r with |r| <= ln2 / 2, a Taylor
// polynomial for e^r, and 2^k written straight into the exponent bits. Callers clamp x (in a
// separate loop: a select inside the loop stops GCC from vectorizing it).
#include <bit>
#include <cstdint>
#include <numbers>

namespace rungs::optimizers::tpe::fast {

// e^x for -700 <= x <= 1, relative error below 5e-16 (Taylor to degree 12: r^13 / 13! < 2e-16).
inline double exp(double x) {
  constexpr double shifter = 0x1.8p52;  // adding it rounds to an integer, kept in the low bits
  constexpr double ln2_hi = 0x1.62e42fee00000p-1;
  constexpr double ln2_lo = 0x1.a39ef35793c76p-33;
  const double t = x * std::numbers::log2e + shifter;
  const double k = t - shifter;
  const double r = (x - k * ln2_hi) - k * ln2_lo;
  double p = 1.0 / 479001600.0;  // 1/12!
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  const std::uint64_t k_bits =
      std::bit_cast<std::uint64_t>(t) - std::bit_cast<std::uint64_t>(shifter);
  return p * std::bit_cast<double>((k_bits + 1023) << 52);
}

// e^x for -80 <= x <= 1 in single precision, relative error below 3e-7 (degree 7:
// r^8 / 8! < 5e-9, then float rounding).
inline float exp(float x) {
  constexpr float shifter = 0x1.8p23f;
  constexpr float ln2_hi = 0x1.62e4p-1f;  // few bits: k * ln2_hi is exact
  constexpr float ln2_lo = 0x1.7f7d1cp-20f;
  const float t = x * std::numbers::log2e_v<float> + shifter;
  const float k = t - shifter;
  const float r = (x - k * ln2_hi) - k * ln2_lo;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const std::uint32_t k_bits =
      std::bit_cast<std::uint32_t>(t) - std::bit_cast<std::uint32_t>(shifter);
  return p * std::bit_cast<float>((k_bits + 127) << 23);
}

// erfc(x) for 0 <= x <= 8.8, absolute error below 4e-7 (Press et al., Numerical Recipes,
// "erfcc": a Chebyshev fit of erfc(x) e^(x^2) in t = 1 / (1 + x/2), relative error 1.2e-7,
// then single precision). Beyond 8.8, erfc is below 2e-35: callers cap x there, which keeps the
// exponent above -80, the single-precision exp's domain.
inline float erfc(float x) {
  const float t = 1.0f / (1.0f + 0.5f * x);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  return t * exp(p - x * x);
}

}  // namespace rungs::optimizers::tpe::fast
