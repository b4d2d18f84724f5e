#include "space/encoding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "space/space_error.hpp"

namespace rungs::space {

namespace {

// The interval [a, b] an encoding stretches to [0,1], in log space for log scale.
struct Span {
  double a;
  double b;
  bool log;
  double to_unit(double x) const { return ((log ? std::log(x) : x) - a) / (b - a); }
  double from_unit(double u) const {
    const double t = a + u * (b - a);
    return log ? std::exp(t) : t;
  }
};

Span span_of(const FloatDomain& d) {
  if (d.scale == Scale::log) return {std::log(d.low), std::log(d.high), true};
  return {d.low, d.high, false};
}

Span span_of(const IntDomain& d) {
  const double low = static_cast<double>(d.low) - 0.5;
  const double high = static_cast<double>(d.high) + 0.5;
  if (d.scale == Scale::log) return {std::log(low), std::log(high), true};
  return {low, high, false};
}

}  // namespace

std::size_t choice_index(const CategoricalDomain& domain, const std::string& choice) {
  const auto it = std::find(domain.choices.begin(), domain.choices.end(), choice);
  if (it == domain.choices.end())
    throw SpaceError("", "", fmt::format("'{}' is not one of the choices ({})", choice,
                                         fmt::join(domain.choices, ", ")));
  return static_cast<std::size_t>(it - domain.choices.begin());
}

double encode_value(const Domain& domain, const Value& value) {
  if (!contains(domain, value))
    throw SpaceError("", "", fmt::format("cannot encode {}: not a {}", to_string(value),
                                         describe(domain)));
  if (const auto* d = std::get_if<FloatDomain>(&domain))
    return std::clamp(span_of(*d).to_unit(std::get<double>(value)), 0.0, 1.0);
  if (const auto* d = std::get_if<IntDomain>(&domain))
    return span_of(*d).to_unit(static_cast<double>(std::get<std::int64_t>(value)));
  const auto& d = std::get<CategoricalDomain>(domain);
  const double k = static_cast<double>(d.choices.size());
  return (static_cast<double>(choice_index(d, std::get<std::string>(value))) + 0.5) / k;
}

double encode_number(const Domain& domain, double x) {
  if (const auto* d = std::get_if<FloatDomain>(&domain)) return std::clamp(span_of(*d).to_unit(x), 0.0, 1.0);
  if (const auto* d = std::get_if<IntDomain>(&domain)) return std::clamp(span_of(*d).to_unit(x), 0.0, 1.0);
  throw SpaceError("", "", "a categorical parameter has no numeric encoding");
}

Value decode_value(const Domain& domain, double u) {
  if (std::isnan(u)) throw SpaceError("", "", "cannot decode NaN (NaN marks an inactive parameter)");
  u = std::clamp(u, 0.0, 1.0);
  if (const auto* d = std::get_if<FloatDomain>(&domain)) {
    // The ends exactly: exp(log(1e-3)) is not always 1e-3, and "the bound" is what a clamped
    // proposal means.
    if (u == 0.0) return d->low;
    if (u == 1.0) return d->high;
    return std::clamp(span_of(*d).from_unit(u), d->low, d->high);
  }
  if (const auto* d = std::get_if<IntDomain>(&domain)) {
    const auto x = static_cast<std::int64_t>(std::llround(span_of(*d).from_unit(u)));
    return std::clamp(x, d->low, d->high);
  }
  const auto& d = std::get<CategoricalDomain>(domain);
  const auto k = d.choices.size();
  // u = 1 would land on slice k: it belongs to the last choice.
  const auto index = std::min(static_cast<std::size_t>(u * static_cast<double>(k)), k - 1);
  return d.choices[index];
}

}  // namespace rungs::space
