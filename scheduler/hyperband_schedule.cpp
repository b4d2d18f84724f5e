#include "scheduler/hyperband_schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>

namespace rungs::scheduler {
namespace {

// Relative slack for the non-integer-eta path: a product that is mathematically an integer
// but comes out a few ulps above (below) it must not be rounded up (down) by ceil (floor).
constexpr long double kSlack = 1e-9L;

void check_eta(double eta) {
  if (!(eta > 1) || !std::isfinite(eta))
    throw std::invalid_argument(fmt::format("eta must be a finite number greater than 1 (got {})", eta));
}

// eta as an integer when it is one (3.0 -> 3), so that the schedule is computed exactly.
std::optional<std::uint64_t> integer_eta(double eta) {
  if (eta == std::floor(eta) && eta < 4294967296.0) return static_cast<std::uint64_t>(eta);
  return std::nullopt;
}

// base^exp, or nullopt on overflow of 64 bits.
std::optional<std::uint64_t> checked_power(std::uint64_t base, std::size_t exp) {
  std::uint64_t result = 1;
  for (std::size_t i = 0; i < exp; ++i) {
    if (result > std::numeric_limits<std::uint64_t>::max() / base) return std::nullopt;
    result *= base;
  }
  return result;
}

std::optional<std::uint64_t> checked_product(std::uint64_t a, std::uint64_t b) {
  if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return std::nullopt;
  return a * b;
}

// floor(n eta^-i)
std::size_t surviving(std::size_t n, std::size_t i, double eta) {
  if (const auto e = integer_eta(eta)) {
    const auto power = checked_power(*e, i);
    return power ? static_cast<std::size_t>(n / *power) : 0;  // eta^i > 2^64 > n
  }
  const long double x = static_cast<long double>(n) / std::pow(static_cast<long double>(eta), static_cast<long double>(i));
  return static_cast<std::size_t>(std::floor(x + kSlack * x));
}

}  // namespace

std::size_t BracketPlan::runs() const {
  std::size_t total = 0;
  for (const auto& stage : stages) total += stage.configs;
  return total;
}

std::vector<std::size_t> BracketPlan::configs() const {
  std::vector<std::size_t> out;
  out.reserve(stages.size());
  for (const auto& stage : stages) out.push_back(stage.configs);
  return out;
}

BracketPlan successive_halving_plan(std::size_t n0, std::size_t first_level, std::size_t stages,
                                    double eta) {
  check_eta(eta);
  if (stages == 0) throw std::invalid_argument("a successive-halving bracket needs at least one stage");
  BracketPlan plan;
  plan.s = stages - 1;
  for (std::size_t i = 0; i < stages; ++i) {
    const std::size_t n_i = surviving(n0, i, eta);
    if (n_i == 0)
      throw std::invalid_argument(fmt::format(
          "successive halving with {} initial configurations, eta {} and {} stages would run no "
          "configuration at stage {} (need at least eta^{} configurations)",
          n0, eta, stages, i, stages - 1));
    plan.stages.push_back(Stage{first_level + i, n_i});
  }
  return plan;
}

std::size_t hyperband_initial_configs(std::size_t s, std::size_t s_max, double eta) {
  check_eta(eta);
  if (s > s_max)
    throw std::invalid_argument(fmt::format("bracket s = {} does not exist: s must be in 0..s_max = {}", s, s_max));
  // Exact path: n = ceil((s_max+1) eta^s / (s+1)) in integers.
  if (const auto e = integer_eta(eta)) {
    if (const auto power = checked_power(*e, s)) {
      if (const auto numerator = checked_product(s_max + 1, *power))
        return static_cast<std::size_t>(*numerator / (s + 1) + (*numerator % (s + 1) != 0 ? 1 : 0));
    }
  }
  const long double x = static_cast<long double>(s_max + 1) / static_cast<long double>(s + 1) *
                        std::pow(static_cast<long double>(eta), static_cast<long double>(s));
  if (!(x < static_cast<long double>(std::numeric_limits<std::size_t>::max() / 2)))
    throw std::invalid_argument(fmt::format("Hyperband bracket s = {} with eta {} is too large", s, eta));
  return static_cast<std::size_t>(std::ceil(x - kSlack * x));
}

BracketPlan hyperband_bracket(std::size_t s, std::size_t s_max, double eta) {
  const std::size_t n = hyperband_initial_configs(s, s_max, eta);
  BracketPlan plan = successive_halving_plan(n, s_max - s, s + 1, eta);
  plan.s = s;
  return plan;
}

std::vector<BracketPlan> hyperband_brackets(std::size_t s_max, double eta) {
  std::vector<BracketPlan> plans;
  plans.reserve(s_max + 1);
  for (std::size_t k = 0; k <= s_max; ++k) plans.push_back(hyperband_bracket(s_max - k, s_max, eta));
  return plans;
}

namespace {

void check_costs(const std::vector<double>& costs) {
  if (costs.empty()) throw std::invalid_argument("level costs: need one cost per level (got none)");
  for (std::size_t k = 0; k < costs.size(); ++k)
    if (!std::isfinite(costs[k]) || costs[k] < 0)
      throw std::invalid_argument(fmt::format("level costs: level {} costs {}; costs must be finite and >= 0", k, costs[k]));
  if (!(costs.back() > 0)) throw std::invalid_argument("level costs: the top level must cost more than 0");
}

// c_k proportional to eta^k: the paper's assumption, so its exact integer n applies.
bool geometric_costs(const std::vector<double>& costs, double eta) {
  const double top = costs.back();
  const auto s_max = static_cast<double>(costs.size() - 1);
  for (std::size_t k = 0; k < costs.size(); ++k) {
    const double expected = top * std::pow(eta, static_cast<double>(k) - s_max);
    if (std::abs(costs[k] - expected) > 1e-9 * expected) return false;
  }
  return true;
}

}  // namespace

std::size_t hyperband_initial_configs(std::size_t s, double eta, const std::vector<double>& level_costs) {
  check_eta(eta);
  check_costs(level_costs);
  const std::size_t s_max = level_costs.size() - 1;
  if (s > s_max)
    throw std::invalid_argument(fmt::format("bracket s = {} does not exist: s must be in 0..s_max = {}", s, s_max));
  if (geometric_costs(level_costs, eta)) return hyperband_initial_configs(s, s_max, eta);

  const long double e = eta;
  const long double budget = static_cast<long double>(s_max + 1) * level_costs.back();
  long double share = 0;  // C_s
  for (std::size_t i = 0; i <= s; ++i)
    share += std::pow(e, -static_cast<long double>(i)) * static_cast<long double>(level_costs[s_max - s + i]);
  const long double top_stage = std::pow(e, static_cast<long double>(s));  // n >= eta^s: one run reaches the top
  const long double minimum = std::ceil(top_stage - kSlack * top_stage);
  const long double x = budget / share;  // share >= eta^-s c_top > 0
  const long double n = std::max(std::ceil(x - kSlack * x), minimum);
  if (!(n < static_cast<long double>(std::numeric_limits<std::size_t>::max() / 2)))
    throw std::invalid_argument(fmt::format("Hyperband bracket s = {} with eta {} is too large", s, eta));
  return static_cast<std::size_t>(n);
}

BracketPlan hyperband_bracket(std::size_t s, double eta, const std::vector<double>& level_costs) {
  const std::size_t n = hyperband_initial_configs(s, eta, level_costs);
  const std::size_t s_max = level_costs.size() - 1;
  BracketPlan plan = successive_halving_plan(n, s_max - s, s + 1, eta);
  plan.s = s;
  return plan;
}

std::vector<BracketPlan> hyperband_brackets(double eta, const std::vector<double>& level_costs) {
  check_costs(level_costs);
  const std::size_t s_max = level_costs.size() - 1;
  std::vector<BracketPlan> plans;
  plans.reserve(s_max + 1);
  for (std::size_t k = 0; k <= s_max; ++k) plans.push_back(hyperband_bracket(s_max - k, eta, level_costs));
  return plans;
}

}  // namespace rungs::scheduler
