#pragma once
// One hyperparameter: a name, the domain its values come from, and an optional condition
// saying when it exists at all (momentum only for sgd, beta1 only for adam).
//
// These are plain values: building a Parameter checks nothing. SearchSpace's constructor
// validates a whole list at once, because most rules (unknown parents, cycles, condition
// values the parent cannot take) involve more than one parameter.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "space/config.hpp"
#include "space/prior.hpp"

namespace rungs::space {

// How values spread over [low, high]: uniformly, or uniformly in log(value) (learning rates,
// weight decay, layer widths: where a factor of 2 matters equally anywhere in the range).
enum class Scale { linear, log };

// A real number in [low, high]; values are `double`.
struct FloatDomain {
  double low = 0;
  double high = 1;
  Scale scale = Scale::linear;
};

// An integer in [low, high], both inclusive; values are `std::int64_t`.
struct IntDomain {
  std::int64_t low = 0;
  std::int64_t high = 1;
  Scale scale = Scale::linear;
};

// One of a fixed list of strings, unordered; values are `std::string`. Numbers and booleans
// written as choices stay text ("0.5", "true"): a trial receives exactly what was written.
struct CategoricalDomain {
  std::vector<std::string> choices;
};

using Domain = std::variant<FloatDomain, IntDomain, CategoricalDomain>;

// "parent takes one of `values`". Values are compared exactly, so the parent must be
// categorical or int (a float almost never equals a written constant). Values may be given
// loosely (the text "3" or the integer 3 for an int parent, 1 for the choice "1"): SearchSpace
// converts them to the parent's type with `coerce` and rejects those the parent cannot take.
struct Clause {
  std::string parent;
  std::vector<Value> values;
};

// All clauses must hold (and every parent must itself be active). Empty: always active.
using Condition = std::vector<Clause>;

struct Parameter {
  std::string name;
  Domain domain;
  Condition condition = {};
  // Where good values are believed to lie (prior.hpp); none: uniform, as the domain says.
  std::optional<Prior> prior = std::nullopt;

  // Adds a clause, for readable construction in C++:
  //   real("momentum", 0.0, 0.99).when("optimizer", {"sgd"})
  Parameter when(std::string parent, std::vector<Value> values) &&;
  Parameter& when(std::string parent, std::vector<Value> values) &;
  // Sets the prior: real("lr", 1e-5, 1, Scale::log).with_prior(NumericPrior{3e-4, 0.125}).
  Parameter with_prior(Prior belief) &&;
  Parameter& with_prior(Prior belief) &;

  bool is_conditional() const { return !condition.empty(); }
};

// Builders for the three kinds.
Parameter real(std::string name, double low, double high, Scale scale = Scale::linear);
Parameter integer(std::string name, std::int64_t low, std::int64_t high,
                  Scale scale = Scale::linear);
Parameter categorical(std::string name, std::vector<std::string> choices);

// "float", "int", "categorical": the YAML type names.
const char* type_name(const Domain& domain);

// "float in [0.001, 1], log scale", "int in [16, 128]", "one of sgd, adam": for messages.
std::string describe(const Domain& domain);

// Whether `value` has the domain's type and lies in it (bounds inclusive; a choice listed).
bool contains(const Domain& domain, const Value& value);

// Converts a loosely typed value to the domain's type, or nullopt when that is impossible
// (it does not check bounds or choices; see `contains`). Accepted:
//  - float: a double, an integer, or text that is a whole number literal ("1e-3");
//  - int: an integer, a double with no fractional part, or text that is an integer ("64");
//  - categorical: text as is; numbers through to_string (1 -> "1", 0.5 -> "0.5").
// Front ends use it for values arriving as text or JSON numbers; SearchSpace uses it for
// condition values.
std::optional<Value> coerce(const Domain& domain, const Value& value);

// Whether `name` can be a parameter name: [A-Za-z_][A-Za-z0-9_]*. Names become argv
// placeholders ({lr}), environment-friendly JSON keys and file-name fragments.
bool is_valid_name(const std::string& name);

}  // namespace rungs::space
