#include "space/parameter.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>


namespace rungs::space {

namespace {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

// Whole-string parses: "12abc" and "" are not numbers.
std::optional<std::int64_t> parse_int(const std::string& text) {
  std::string_view view(text);
  if (!view.empty() && view.front() == '+') view.remove_prefix(1);  // YAML allows "+3"
  std::int64_t out = 0;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), out);
  if (error != std::errc() || end != view.data() + view.size() || view.empty()) return std::nullopt;
  return out;
}

std::optional<double> parse_double(const std::string& text) {
  std::string_view view(text);
  if (!view.empty() && view.front() == '+') view.remove_prefix(1);
  double out = 0;
  const auto [end, error] = std::from_chars(view.data(), view.data() + view.size(), out);
  if (error != std::errc() || end != view.data() + view.size() || view.empty()) return std::nullopt;
  return out;
}

}  // namespace

Parameter Parameter::when(std::string parent, std::vector<Value> values) && {
  condition.push_back({std::move(parent), std::move(values)});
  return std::move(*this);
}

Parameter& Parameter::when(std::string parent, std::vector<Value> values) & {
  condition.push_back({std::move(parent), std::move(values)});
  return *this;
}

Parameter Parameter::with_prior(Prior belief) && {
  prior = std::move(belief);
  return std::move(*this);
}

Parameter& Parameter::with_prior(Prior belief) & {
  prior = std::move(belief);
  return *this;
}

Parameter real(std::string name, double low, double high, Scale scale) {
  return {std::move(name), FloatDomain{low, high, scale}, {}};
}

Parameter integer(std::string name, std::int64_t low, std::int64_t high, Scale scale) {
  return {std::move(name), IntDomain{low, high, scale}, {}};
}

Parameter categorical(std::string name, std::vector<std::string> choices) {
  return {std::move(name), CategoricalDomain{std::move(choices)}, {}};
}

const char* type_name(const Domain& domain) {
  return std::visit(Overloaded{[](const FloatDomain&) { return "float"; },
                               [](const IntDomain&) { return "int"; },
                               [](const CategoricalDomain&) { return "categorical"; }},
                    domain);
}

std::string describe(const Domain& domain) {
  return std::visit(
      Overloaded{[](const FloatDomain& d) {
                   return fmt::format("float in [{}, {}]{}", d.low, d.high,
                                      d.scale == Scale::log ? ", log scale" : "");
                 },
                 [](const IntDomain& d) {
                   return fmt::format("int in [{}, {}]{}", d.low, d.high,
                                      d.scale == Scale::log ? ", log scale" : "");
                 },
                 [](const CategoricalDomain& d) {
                   return fmt::format("one of {}", fmt::join(d.choices, ", "));
                 }},
      domain);
}

bool contains(const Domain& domain, const Value& value) {
  return std::visit(
      Overloaded{[&](const FloatDomain& d) {
                   const auto* x = std::get_if<double>(&value);
                   return x && *x >= d.low && *x <= d.high;  // false for NaN
                 },
                 [&](const IntDomain& d) {
                   const auto* x = std::get_if<std::int64_t>(&value);
                   return x && *x >= d.low && *x <= d.high;
                 },
                 [&](const CategoricalDomain& d) {
                   const auto* x = std::get_if<std::string>(&value);
                   return x && std::find(d.choices.begin(), d.choices.end(), *x) != d.choices.end();
                 }},
      domain);
}

std::optional<Value> coerce(const Domain& domain, const Value& value) {
  return std::visit(
      Overloaded{
          [&](const FloatDomain&) -> std::optional<Value> {
            if (const auto* x = std::get_if<double>(&value)) return *x;
            if (const auto* x = std::get_if<std::int64_t>(&value)) return static_cast<double>(*x);
            if (auto x = parse_double(std::get<std::string>(value))) return *x;
            return std::nullopt;
          },
          [&](const IntDomain&) -> std::optional<Value> {
            if (const auto* x = std::get_if<std::int64_t>(&value)) return *x;
            if (const auto* x = std::get_if<double>(&value)) {
              // Only exactly representable whole numbers: 3.0 is 3, 3.5 and 1e30 are not ints.
              if (std::isfinite(*x) && *x == std::trunc(*x) && std::fabs(*x) < 0x1p63)
                return static_cast<std::int64_t>(*x);
              return std::nullopt;
            }
            if (auto x = parse_int(std::get<std::string>(value))) return *x;
            return std::nullopt;
          },
          [&](const CategoricalDomain&) -> std::optional<Value> {
            return std::holds_alternative<std::string>(value) ? value : Value(to_string(value));
          }},
      domain);
}

bool is_valid_name(const std::string& name) {
  const auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (name.empty() || !letter(name.front())) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) { return letter(c) || digit(c); });
}

}  // namespace rungs::space
