#include "scheduler/pbt_explore.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "space/sampling.hpp"

namespace rungs::scheduler {

namespace {

struct Perturb {
  double factor;
  space::Value operator()(const space::FloatDomain& d, const space::Value& v) const {
    return std::clamp(std::get<double>(v) * factor, d.low, d.high);
  }
  space::Value operator()(const space::IntDomain& d, const space::Value& v) const {
    const auto old = std::get<std::int64_t>(v);
    auto moved = static_cast<std::int64_t>(std::llround(static_cast<double>(old) * factor));
    if (moved == old) moved = factor > 1 ? old + 1 : old - 1;
    return std::clamp(moved, d.low, d.high);
  }
  space::Value operator()(const space::CategoricalDomain&, const space::Value& v) const { return v; }
};

}  // namespace

void check_explore_options(const ExploreOptions& options) {
  for (const double f : {options.perturb_low, options.perturb_high})
    if (!(f > 0) || !std::isfinite(f))
      throw std::invalid_argument(fmt::format("pbt: perturb factors must be positive and finite (got {})", f));
  if (!(options.resample_probability >= 0 && options.resample_probability <= 1))
    throw std::invalid_argument(
        fmt::format("pbt: resample_probability must be in [0, 1] (got {})", options.resample_probability));
}

space::Config explore(const space::SearchSpace& space, const space::Config& donor, const ExploreOptions& options,
                      std::mt19937_64& rng) {
  space::Config result;
  for (const std::size_t index : space.sampling_order()) {
    const space::Parameter& parameter = space.parameters()[index];
    // Parents come first in sampling order: `result` holds their new values already.
    if (!space.is_active(parameter, result)) continue;
    const auto old = donor.find(parameter.name);
    if (old == donor.end()) {
      result[parameter.name] = space::sample_value(parameter.domain, rng);
      continue;
    }
    // Two draws per parameter, always: the draws of later parameters do not depend on this one's outcome.
    const bool resample = space::uniform01(rng) < options.resample_probability;
    const double factor = space::uniform01(rng) < 0.5 ? options.perturb_low : options.perturb_high;
    if (resample) {
      result[parameter.name] = space::sample_value(parameter.domain, rng);
    } else {
      result[parameter.name] =
          std::visit([&](const auto& domain) { return Perturb{factor}(domain, old->second); }, parameter.domain);
    }
  }
  return result;
}

}  // namespace rungs::scheduler
