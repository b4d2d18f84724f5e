#pragma once
// A search space: an ordered list of parameters, some conditional on others, validated as a
// whole. It samples configurations, checks configurations given by users (ask/tell), and
// maps configurations to and from [0,1]^d for model-based optimizers.
//
// Activity. A parameter is active in a configuration iff every clause of its condition holds:
// the clause's parent is itself active and takes one of the listed values. Conditions may
// nest (beta2 when {beta1_schedule: decay}, beta1_schedule when {optimizer: adam}). A Config
// holds exactly the active parameters: inactive ones are absent, never defaulted, so that a
// trial, a results table and a model never see a value that did not influence the run.
//
// Orders. parameters() keeps the order given (the YAML file order): it is the encoding order
// and the order of columns in outputs. sampling_order() lists every parameter after all its
// parents (a topological order that otherwise keeps the given order), so one pass decides
// each parent before the parameters conditional on it.
//
// A SearchSpace is immutable once built: its const methods may be called from several threads
// (each with its own random engine), and copies are independent.
#include <Eigen/Core>

#include <cstddef>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "space/config.hpp"
#include "space/parameter.hpp"
#include "space/space_error.hpp"

namespace rungs::space {

class SearchSpace {
 public:
  // The empty space (dimension 0): a placeholder to assign a real space to later.
  SearchSpace() = default;

  // Validates the whole list and throws SpaceError (naming the parameter and field) on:
  //  - a name that is not an identifier, or used twice;
  //  - float/int: low >= high, non-finite bounds, log scale with low <= 0, int bounds beyond
  //    +-2^53 (they could not survive the double-valued encoding exactly);
  //  - categorical: no choices, or a choice listed twice;
  //  - a condition on an unknown parameter, on a float parameter, with no values, with a
  //    value the parent cannot take or listed twice, or naming the same parent twice;
  //  - conditions forming a cycle (the message spells it out: "a -> b -> a");
  //  - conditions that can never hold together (x needs b = y directly, but b = z through
  //    its parent a);
  //  - a prior that does not fit its domain (prior_density.hpp, check_prior).
  // Condition values are stored converted to the parent's type (see `coerce`), so
  // parameters() returns them typed: int parents hold int64 values, categorical ones strings.
  explicit SearchSpace(std::vector<Parameter> parameters);

  const std::vector<Parameter>& parameters() const { return parameters_; }
  std::size_t dimension() const { return parameters_.size(); }
  bool empty() const { return parameters_.empty(); }

  // nullptr / nullopt when no parameter has that name.
  const Parameter* find(std::string_view name) const;
  std::optional<std::size_t> index_of(std::string_view name) const;

  // Indices into parameters(), each after its parents.
  const std::vector<std::size_t>& sampling_order() const { return order_; }

  // Whether `parameter` (one of parameters(), matched by name) is active in `config`: its
  // clauses hold and its parents are, recursively, active. Throws SpaceError for a parameter
  // of another space.
  bool is_active(const Parameter& parameter, const Config& config) const;
  // The same for every parameter at once, indexed like parameters().
  std::vector<bool> active_mask(const Config& config) const;

  // A random configuration: parents first, then each active parameter drawn from its domain
  // (sampling.hpp: uniform, log-uniform for log scale). Never sets an inactive parameter.
  // The result depends only on the engine's state (not on the standard library).
  Config sample(std::mt19937_64& rng) const;
  // sample()'s draws with encode()'s point, encoded as they are drawn, for a caller that scores
  // many samples and keeps few: no validation (what sample() draws is valid by construction),
  // no lookups, and no Config (a map: building and freeing it cost more than the drawing); the
  // values are indexed like parameters(), nullopt where inactive. config() makes the
  // Config sample() would have made from the same draws.
  struct EncodedSample {
    std::vector<std::optional<Value>> values;
    Eigen::VectorXd encoded;
  };
  EncodedSample sample_encoded(std::mt19937_64& rng) const;
  Config config(const EncodedSample& sample) const;
  // A neighbour of `center` (a sample of this space), drawn the same way: each active numeric
  // parameter moved by N(0, scale^2) on its [0,1] encoding (clamped, ints rounded), categorical
  // ones kept, and a parameter that becomes active drawn from its domain.
  EncodedSample sample_near(const EncodedSample& center, double scale, std::mt19937_64& rng) const;

  // Priors (prior.hpp). has_prior(): some parameter has one.
  bool has_prior() const { return has_prior_; }
  // A configuration drawn from the priors: like sample(), but each active parameter with a
  // prior is drawn from it (prior_density.hpp); those without one stay uniform.
  Config sample_prior(std::mt19937_64& rng) const;
  // log of the prior's density at an encoded point (dimension() values, NaN = inactive): the
  // sum over the active parameters with a prior of prior_log_density; 0 without priors. It is
  // a density on the [0,1] encoding, so a configuration without priors scores 0 = log 1.
  double log_prior(const double* encoded) const;
  double log_prior(const Eigen::VectorXd& encoded) const { return log_prior(encoded.data()); }

  // Checks a configuration from outside (ask/tell, a resumed campaign) and throws SpaceError
  // naming the first offending parameter: unknown name, active but missing, set although
  // inactive, wrong type (an int for a float parameter: coerce first), out of range or not a
  // listed choice.
  void validate(const Config& config) const;

  // [0,1]^dimension() per encoding.hpp, in parameters() order; inactive parameters are NaN
  // (models impute them as they see fit). Validates first.
  Eigen::VectorXd encode(const Config& config) const;

  // The inverse, for any point an optimizer proposes: coordinates are clamped to [0,1],
  // parents are decoded first and conditions re-evaluated, so the result sets exactly the
  // parameters active under the decoded parent values and ignores the other coordinates
  // (NaN or not). Throws SpaceError on a wrong size or a NaN at an active coordinate.
  Config decode(const Eigen::VectorXd& point) const;

  // "optimizer = sgd", "layers in {2, 3} and optimizer = adam"; "" when unconditional.
  std::string describe_condition(const Parameter& parameter) const;

 private:
  std::size_t require_index(const Parameter& parameter) const;
  // Whether parameter i's clauses hold, given which parents are active and their values
  // (value_of(parent index): a const Value*, nullptr when unset).
  template <class ValueOf>
  bool clauses_hold(std::size_t i, const std::vector<bool>& active, ValueOf value_of) const;
  // The same, the parents' values looked up by name in `config`.
  bool clauses_hold(std::size_t i, const std::vector<bool>& active, const Config& config) const;
  // A sample built parents first: value_for(i) gives each active parameter's value.
  template <class ValueFor>
  EncodedSample build(ValueFor value_for) const;

  std::vector<Parameter> parameters_;
  std::map<std::string, std::size_t, std::less<>> index_;
  std::vector<std::vector<std::size_t>> parents_;  // [i][c]: index of clause c's parent
  std::vector<std::size_t> order_;
  bool has_prior_ = false;
};

}  // namespace rungs::space
