// libdownsample.so: a rungs plugin that registers the budget dimension kind `downsample`, an
// image side length that always divides the native size, so that a trial can shrink its
// images by a whole factor (8x8 digits -> 4x4 by averaging 2x2 blocks).
//
//   plugins: [libdownsample.so]
//   budget:
//     dimensions:
//       resolution: {kind: downsample, native: 8, min: 2}     # levels 2, 4, 8 px
//
// Options: native (px, required), min (px, required, divides native), cost_power (default 2:
// a convolution's work grows with the pixel count, the side squared), warm_start (default
// false: a new side length changes the input layer, so a promotion reruns).
// The trial gets {resolution} and RUNGS_BUDGET_RESOLUTION (the side, e.g. 4) and
// RUNGS_DOWNSAMPLE_FACTOR (native / side, e.g. 2).
//
// Only fidelity/dimension_registry.hpp is included: every function it declares for plugins is
// inline, so this library needs no symbol from rungs and loads into any program that links
// rungs_fidelity (the `rungs` executable, tests).
#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fidelity/dimension_registry.hpp"

namespace {

using rungs::fidelity::DimensionOptions;
using rungs::fidelity::OptionError;

class Downsample : public rungs::fidelity::CustomDimension {
 public:
  Downsample(int native, int min, double cost_power, bool warm_start)
      : native_(native), min_(min), cost_power_(cost_power), warm_start_(warm_start) {
    for (int side = 1; side <= native; ++side)
      if (native % side == 0 && side >= min) sides_.push_back(side);
  }

  // Geometric between min and native in log space, snapped to the nearest side that divides
  // the native size (nearest in log space, the larger one on a tie). Non-decreasing in k.
  double value(std::size_t level, std::size_t s_max) const override {
    const double t = s_max == 0 ? 1.0 : static_cast<double>(level) / static_cast<double>(s_max);
    const double target = std::log(min_) + t * (std::log(native_) - std::log(min_));
    int best = sides_.front();
    for (const int side : sides_)
      if (std::abs(std::log(side) - target) <= std::abs(std::log(best) - target) + 1e-12) best = side;
    return best;
  }
  bool integer() const override { return true; }
  bool warm_start() const override { return warm_start_; }
  double relative_cost(double value, double top) const override { return std::pow(value / top, cost_power_); }
  std::map<std::string, std::string> environment(double value) const override {
    return {{"RUNGS_DOWNSAMPLE_FACTOR", std::to_string(native_ / static_cast<int>(std::lround(value)))}};
  }

 private:
  int native_;
  int min_;
  double cost_power_;
  bool warm_start_;
  std::vector<int> sides_;  // divisors of native that are >= min, ascending
};

int whole(const DimensionOptions& options, const std::string& key) {
  const double value = options.number(key);
  if (!(value >= 1) || value != std::floor(value) || value > 1e6)
    throw OptionError(key, key + " must be a whole number of pixels >= 1, got " + options.text(key));
  return static_cast<int>(value);
}

std::shared_ptr<const rungs::fidelity::CustomDimension> make_downsample(const DimensionOptions& options) {
  const int native = whole(options, "native");
  const int min = whole(options, "min");
  if (min > native) throw OptionError("min", "min must not exceed native (" + std::to_string(native) + ")");
  if (native % min != 0)
    throw OptionError("min", "min (" + std::to_string(min) + ") must divide native (" + std::to_string(native) +
                                 ") so that images shrink by a whole factor");
  const double cost_power = options.number("cost_power", 2.0);
  if (!(cost_power >= 0)) throw OptionError("cost_power", "cost_power must be >= 0");
  return std::make_shared<Downsample>(native, min, cost_power, options.flag("warm_start", false));
}

}  // namespace

RUNGS_DIMENSION_PLUGIN(registry) {
  registry.add({.name = "downsample",
                .summary = "image side length in pixels, a divisor of the native size",
                .options = {"native", "min", "cost_power", "warm_start"},
                .make = make_downsample});
}
