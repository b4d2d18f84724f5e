#pragma once
// One budget dimension: what a budget level means along one axis (epochs, a data fraction, an
// image resolution, ...), how it behaves when a trial is promoted, what it costs and how it
// reaches the trial. The ladder (ladder.hpp) maps every level to one value per dimension.
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace rungs::fidelity {

// How a dimension behaves when a trial is promoted to the next level.
enum class Growth {
  Continued,  // like epochs: the promoted run continues from its checkpoint up to the new value
  Fixed,      // like a data fraction or a resolution: fixed within a run
};

// value(k) = min * (max / min)^(k / s_max)  (rounded for integer dimensions)
struct Geometric {
  double min = 1;
  double max = 1;
};
// One value per level, smallest level first (non-decreasing).
struct Listed {
  std::vector<double> values;
};
// A dimension kind registered from C++ (custom_dimension.hpp, dimension_registry.hpp): it
// gives the value at each level, the relative cost and how the value is written for the trial.
class CustomDimension;
struct Custom {
  std::shared_ptr<const CustomDimension> dimension;
  std::string kind = {};  // the registered kind's name, for messages
};

struct Dimension {
  std::string name;
  bool integer = false;
  Growth growth = Growth::Fixed;
  std::variant<Geometric, Listed, Custom> mapping = Geometric{};
  // Product cost model (cost_model.hpp): this dimension's factor is (value / top value)^power.
  // 1 for epochs and data fractions (time is linear in them), 2 for an image side length
  // (pixels, hence convolution FLOPs, grow with its square), 0 for a dimension that costs
  // nothing. A Custom dimension computes its own factor and ignores this.
  double cost_power = 1;
  // Growth::Fixed only: when a promotion changes the value, the run either starts over at the
  // new value (false: RUNGS_RESUME=0, charged in full) or warm-starts from its checkpoint and
  // continues the Continued dimensions at the new value (true: RUNGS_RESUME=1, charged the
  // increment). A resolution change usually reruns (the input layer changes); a larger data
  // fraction can warm-start.
  bool warm_start = false;
  // The environment variable that carries the value; empty = env_name()'s default.
  std::string env = {};
};

// The environment variable of a dimension: its `env`, or RUNGS_BUDGET_<NAME> (upper case).
std::string env_name(const Dimension& dimension);

// How a value is written into the trial's command and environment: a Custom dimension's own
// format(); otherwise integers as integers ("9") and other numbers in the shortest form that
// reads back exactly ("0.5", "0.31622776601683794").
std::string format_value(const Dimension& dimension, double value);

}  // namespace rungs::fidelity
