#include "space/search_space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "space/checks.hpp"
#include "space/encoding.hpp"
#include "space/prior_density.hpp"
#include "space/sampling.hpp"

namespace rungs::space {

namespace {

// "an int", "a double", "text": what a wrongly typed value is, for messages.
const char* kind_of(const Value& value) {
  if (std::holds_alternative<std::int64_t>(value)) return "an integer";
  if (std::holds_alternative<double>(value)) return "a float";
  return "text";
}

bool same_type(const Domain& domain, const Value& value) {
  if (std::holds_alternative<FloatDomain>(domain)) return std::holds_alternative<double>(value);
  if (std::holds_alternative<IntDomain>(domain)) return std::holds_alternative<std::int64_t>(value);
  return std::holds_alternative<std::string>(value);
}

}  // namespace

SearchSpace::SearchSpace(std::vector<Parameter> parameters) : parameters_(std::move(parameters)) {
  index_ = checks::names(parameters_);
  checks::domains(parameters_);
  parents_ = checks::conditions(parameters_, index_);
  order_ = checks::sampling_order(parameters_, parents_);
  checks::satisfiable(parameters_, parents_, order_);
  for (const auto& p : parameters_) {
    if (!p.prior) continue;
    check_prior(p.name, p.domain, *p.prior);
    has_prior_ = true;
  }
}

const Parameter* SearchSpace::find(std::string_view name) const {
  const auto i = index_of(name);
  return i ? &parameters_[*i] : nullptr;
}

std::optional<std::size_t> SearchSpace::index_of(std::string_view name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::size_t SearchSpace::require_index(const Parameter& parameter) const {
  const auto i = index_of(parameter.name);
  if (!i) throw SpaceError(parameter.name, "", "is not a parameter of this search space");
  return *i;
}

template <class ValueOf>
bool SearchSpace::clauses_hold(std::size_t i, const std::vector<bool>& active, ValueOf value_of) const {
  const auto& condition = parameters_[i].condition;
  for (std::size_t c = 0; c < condition.size(); ++c) {
    const std::size_t parent = parents_[i][c];
    if (!active[parent]) return false;
    const Value* value = value_of(parent);
    if (!value) return false;
    const auto& allowed = condition[c].values;
    if (std::find(allowed.begin(), allowed.end(), *value) == allowed.end()) return false;
  }
  return true;
}

bool SearchSpace::clauses_hold(std::size_t i, const std::vector<bool>& active, const Config& config) const {
  return clauses_hold(i, active, [&](std::size_t parent) -> const Value* {
    const auto it = config.find(parameters_[parent].name);
    return it == config.end() ? nullptr : &it->second;
  });
}

std::vector<bool> SearchSpace::active_mask(const Config& config) const {
  std::vector<bool> active(parameters_.size(), false);
  for (std::size_t i : order_) active[i] = clauses_hold(i, active, config);
  return active;
}

bool SearchSpace::is_active(const Parameter& parameter, const Config& config) const {
  return active_mask(config)[require_index(parameter)];
}

Config SearchSpace::sample(std::mt19937_64& rng) const { return config(sample_encoded(rng)); }

template <class ValueFor>
SearchSpace::EncodedSample SearchSpace::build(ValueFor value_for) const {
  EncodedSample sample;
  sample.values.resize(parameters_.size());
  sample.encoded = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(parameters_.size()),
                                             std::numeric_limits<double>::quiet_NaN());
  const auto value_of = [&](std::size_t parent) -> const Value* {
    return sample.values[parent] ? &*sample.values[parent] : nullptr;
  };
  std::vector<bool> active(parameters_.size(), false);
  for (std::size_t i : order_) {
    active[i] = clauses_hold(i, active, value_of);
    if (!active[i]) continue;
    sample.values[i] = value_for(i);
    sample.encoded[static_cast<Eigen::Index>(i)] = encode_value(parameters_[i].domain, *sample.values[i]);
  }
  return sample;
}

SearchSpace::EncodedSample SearchSpace::sample_encoded(std::mt19937_64& rng) const {
  return build([&](std::size_t i) { return sample_value(parameters_[i].domain, rng); });
}

SearchSpace::EncodedSample SearchSpace::sample_near(const EncodedSample& center, double scale,
                                                    std::mt19937_64& rng) const {
  return build([&](std::size_t i) {
    const Domain& domain = parameters_[i].domain;
    if (!center.values[i]) return sample_value(domain, rng);  // made active by a parent's move
    if (std::holds_alternative<CategoricalDomain>(domain)) return *center.values[i];
    return decode_value(domain, center.encoded[static_cast<Eigen::Index>(i)] + scale * standard_normal(rng));
  });
}

Config SearchSpace::config(const EncodedSample& sample) const {
  Config config;
  for (std::size_t i = 0; i < sample.values.size(); ++i)
    if (sample.values[i]) config.emplace(parameters_[i].name, *sample.values[i]);
  return config;
}

Config SearchSpace::sample_prior(std::mt19937_64& rng) const {
  return config(build([&](std::size_t i) {
    const auto& p = parameters_[i];
    return p.prior ? decode_value(p.domain, sample_prior_unit(p.domain, *p.prior, rng)) : sample_value(p.domain, rng);
  }));
}

double SearchSpace::log_prior(const double* encoded) const {
  if (!has_prior_) return 0;
  double sum = 0;
  for (std::size_t i = 0; i < parameters_.size(); ++i)
    if (parameters_[i].prior && !std::isnan(encoded[i]))
      sum += prior_log_density(parameters_[i].domain, *parameters_[i].prior, encoded[i]);
  return sum;
}

std::string SearchSpace::describe_condition(const Parameter& parameter) const {
  std::vector<std::string> parts;
  for (const auto& clause : parameter.condition) {
    std::vector<std::string> texts;
    for (const auto& v : clause.values) texts.push_back(to_string(v));
    parts.push_back(texts.size() == 1
                        ? fmt::format("{} = {}", clause.parent, texts.front())
                        : fmt::format("{} in {{{}}}", clause.parent, fmt::join(texts, ", ")));
  }
  return fmt::format("{}", fmt::join(parts, " and "));
}

void SearchSpace::validate(const Config& config) const {
  for (const auto& [name, value] : config) {
    if (index_.count(name)) continue;
    const auto hint = checks::closest(name, index_);
    std::vector<std::string> known;
    for (const auto& p : parameters_) known.push_back(p.name);
    throw SpaceError(name, "", fmt::format("unknown parameter '{}' ({}the space has: {})", name,
                                           hint.empty() ? "" : fmt::format("did you mean '{}'? ", hint),
                                           fmt::join(known, ", ")));
  }
  const auto active = active_mask(config);
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const auto& p = parameters_[i];
    const auto it = config.find(p.name);
    if (active[i] && it == config.end())
      throw SpaceError(p.name, "", p.is_conditional()
          ? fmt::format("'{}' is missing: it is active because {}", p.name, describe_condition(p))
          : fmt::format("'{}' is missing: every configuration sets it", p.name));
    if (!active[i] && it != config.end())
      throw SpaceError(p.name, "", fmt::format("'{}' is set but inactive: it exists only when {}; "
                                               "leave it out", p.name, describe_condition(p)));
    if (it == config.end()) continue;
    if (!same_type(p.domain, it->second))
      throw SpaceError(p.name, "", fmt::format("'{}' must be a {} value ({}), got {} {}", p.name,
                                               type_name(p.domain), describe(p.domain),
                                               kind_of(it->second), to_string(it->second)));
    if (!contains(p.domain, it->second))
      throw SpaceError(p.name, "", fmt::format("'{}' = {} is outside its domain: {}", p.name,
                                               to_string(it->second), describe(p.domain)));
  }
}

Eigen::VectorXd SearchSpace::encode(const Config& config) const {
  validate(config);
  Eigen::VectorXd point(static_cast<Eigen::Index>(parameters_.size()));
  for (std::size_t i = 0; i < parameters_.size(); ++i) {
    const auto it = config.find(parameters_[i].name);
    point[static_cast<Eigen::Index>(i)] = it == config.end()
                                              ? std::numeric_limits<double>::quiet_NaN()
                                              : encode_value(parameters_[i].domain, it->second);
  }
  return point;
}

Config SearchSpace::decode(const Eigen::VectorXd& point) const {
  if (static_cast<std::size_t>(point.size()) != parameters_.size())
    throw SpaceError("", "", fmt::format("cannot decode a point of size {}: the space has dimension {}",
                                         point.size(), parameters_.size()));
  Config config;
  std::vector<bool> active(parameters_.size(), false);
  for (std::size_t i : order_) {
    active[i] = clauses_hold(i, active, config);
    if (!active[i]) continue;
    const double u = point[static_cast<Eigen::Index>(i)];
    if (std::isnan(u))
      throw SpaceError(parameters_[i].name, "", fmt::format("coordinate {} is NaN, but '{}' is active in the "
                                                            "decoded configuration", i, parameters_[i].name));
    config.emplace(parameters_[i].name, decode_value(parameters_[i].domain, u));
  }
  return config;
}

}  // namespace rungs::space
