#include "optimizers/tpe/tpe_settings.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace rungs::optimizers {

namespace {

[[noreturn]] void reject(const char* field, const std::string& value, const char* rule) {
  throw std::invalid_argument(fmt::format("tpe: {} = {}: must be {}", field, value, rule));
}

}  // namespace

void validate(const TpeSettings& s) {
  if (s.min_points_in_model && *s.min_points_in_model < 1)
    reject("min_points_in_model", "0", "at least 1 (or unset for dimension + 1)");
  // Negated comparisons so that NaN fails them too.
  if (!(s.top_n_percent > 0 && s.top_n_percent < 100))
    reject("top_n_percent", fmt::format("{}", s.top_n_percent), "in (0, 100)");
  if (s.num_samples < 1) reject("num_samples", "0", "at least 1");
  if (!(s.random_fraction >= 0 && s.random_fraction <= 1))
    reject("random_fraction", fmt::format("{}", s.random_fraction), "in [0, 1]");
  if (!(s.bandwidth_factor > 0 && std::isfinite(s.bandwidth_factor)))
    reject("bandwidth_factor", fmt::format("{}", s.bandwidth_factor), "positive and finite");
  if (!(s.min_bandwidth > 0 && s.min_bandwidth <= 0.5))
    reject("min_bandwidth", fmt::format("{}", s.min_bandwidth), "in (0, 0.5]");
}

std::size_t min_points_in_model(const TpeSettings& settings, std::size_t dimension) {
  return settings.min_points_in_model.value_or(dimension + 1);
}

}  // namespace rungs::optimizers
