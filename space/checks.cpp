#include "space/checks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include "space/space_error.hpp"

namespace rungs::space::checks {

namespace {

// Ints travel through doubles in the [0,1] encoding; beyond 2^53 neighbours would merge.
constexpr std::int64_t kMaxExactInt = std::int64_t{1} << 53;

std::string values_text(const std::vector<Value>& values) {
  std::vector<std::string> texts;
  for (const auto& v : values) texts.push_back(to_string(v));
  return texts.size() == 1 ? texts.front() : fmt::format("{{{}}}", fmt::join(texts, ", "));
}

void check_float(const std::string& name, const FloatDomain& d) {
  if (!std::isfinite(d.low)) throw SpaceError(name, "low", fmt::format("must be a finite number, got {}", d.low));
  if (!std::isfinite(d.high)) throw SpaceError(name, "high", fmt::format("must be a finite number, got {}", d.high));
  if (d.low >= d.high)
    throw SpaceError(name, "low", fmt::format("must be below high (got {} >= {}); a fixed value "
                                              "is a categorical with one choice", d.low, d.high));
  if (!std::isfinite(d.high - d.low))
    throw SpaceError(name, "high", fmt::format("the range [{}, {}] is too wide to sample", d.low, d.high));
  if (d.scale == Scale::log && d.low <= 0)
    throw SpaceError(name, "low", fmt::format("log scale needs low > 0 (got {}): use a small positive "
                                              "low such as 1e-6, or drop log", d.low));
}

void check_int(const std::string& name, const IntDomain& d) {
  if (d.low < -kMaxExactInt || d.low > kMaxExactInt)
    throw SpaceError(name, "low", fmt::format("must lie within +-2^53 ({}), got {}", kMaxExactInt, d.low));
  if (d.high < -kMaxExactInt || d.high > kMaxExactInt)
    throw SpaceError(name, "high", fmt::format("must lie within +-2^53 ({}), got {}", kMaxExactInt, d.high));
  if (d.low >= d.high)
    throw SpaceError(name, "low", fmt::format("must be below high (got {} >= {}); a fixed value "
                                              "is a categorical with one choice", d.low, d.high));
  if (d.scale == Scale::log && d.low <= 0)
    throw SpaceError(name, "low", fmt::format("log scale needs low >= 1 (got {}): raise low, or drop log", d.low));
}

void check_choices(const std::string& name, const CategoricalDomain& d) {
  if (d.choices.empty()) throw SpaceError(name, "choices", "is empty: list at least one choice");
  for (std::size_t i = 0; i < d.choices.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (d.choices[i] == d.choices[j])
        throw SpaceError(name, fmt::format("choices[{}]", i),
                         fmt::format("choice '{}' is listed twice (at positions {} and {})", d.choices[i], j, i));
}

// Why `value` cannot be a value of parent `parent` with domain `d`, for the message.
std::string not_a_value(const std::string& parent, const Domain& d, const Value& value) {
  if (const auto* c = std::get_if<CategoricalDomain>(&d))
    return fmt::format("'{}' is not a choice of '{}' (choices: {})", to_string(value), parent,
                       fmt::join(c->choices, ", "));
  return fmt::format("'{}' is a value '{}' never takes: it is an {}", to_string(value), parent, describe(d));
}

}  // namespace

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1u : 0u)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest(const std::string& name, const Index& candidates) {
  std::string best;
  std::size_t best_distance = 3;
  for (const auto& [candidate, position] : candidates) {
    const auto d = edit_distance(name, candidate);
    if (d < best_distance) best = candidate, best_distance = d;
  }
  return best;
}

Index names(const std::vector<Parameter>& parameters) {
  Index index;
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const auto& name = parameters[i].name;
    if (!is_valid_name(name))
      throw SpaceError(name, "", fmt::format("'{}' is not a valid parameter name: use letters, digits and "
                                             "'_', not starting with a digit (names become {{placeholders}} "
                                             "in trial commands)", name));
    if (!index.emplace(name, i).second)
      throw SpaceError(name, "", fmt::format("parameter '{}' is defined twice", name));
  }
  return index;
}

void domains(const std::vector<Parameter>& parameters) {
  for (const auto& p : parameters) {
    if (const auto* d = std::get_if<FloatDomain>(&p.domain)) check_float(p.name, *d);
    if (const auto* d = std::get_if<IntDomain>(&p.domain)) check_int(p.name, *d);
    if (const auto* d = std::get_if<CategoricalDomain>(&p.domain)) check_choices(p.name, *d);
  }
}

std::vector<std::vector<std::size_t>> conditions(std::vector<Parameter>& parameters, const Index& index) {
  std::vector<std::vector<std::size_t>> parents(parameters.size());
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    auto& p = parameters[i];
    for (auto& clause : p.condition) {
      const std::string field = "when." + clause.parent;
      const auto found = index.find(clause.parent);
      if (found == index.end()) {
        const auto hint = closest(clause.parent, index);
        throw SpaceError(p.name, field, fmt::format("condition on unknown parameter '{}'{}", clause.parent,
                                                    hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint)));
      }
      const auto& parent = parameters[found->second];
      if (std::find(parents[i].begin(), parents[i].end(), found->second) != parents[i].end())
        throw SpaceError(p.name, field, fmt::format("'{}' appears twice in the condition: list all its "
                                                    "allowed values in one clause", clause.parent));
      if (std::holds_alternative<FloatDomain>(parent.domain))
        throw SpaceError(p.name, field, fmt::format("cannot condition on float parameter '{}': conditions "
                                                    "compare exact values, which a float almost never "
                                                    "takes; condition on a categorical or int parameter",
                                                    clause.parent));
      if (clause.values.empty())
        throw SpaceError(p.name, field, fmt::format("the condition lists no values of '{}', so '{}' could "
                                                    "never be active", clause.parent, p.name));
      for (std::size_t v = 0; v < clause.values.size(); ++v) {
        auto typed = coerce(parent.domain, clause.values[v]);
        if (!typed || !contains(parent.domain, *typed))
          throw SpaceError(p.name, field, not_a_value(clause.parent, parent.domain, clause.values[v]));
        clause.values[v] = std::move(*typed);
        for (std::size_t u = 0; u < v; ++u)
          if (clause.values[u] == clause.values[v])
            throw SpaceError(p.name, field, fmt::format("value '{}' of '{}' is listed twice",
                                                        to_string(clause.values[v]), clause.parent));
      }
      parents[i].push_back(found->second);
    }
  }
  return parents;
}

std::vector<std::size_t> sampling_order(const std::vector<Parameter>& parameters,
                                        const std::vector<std::vector<std::size_t>>& parents) {
  const std::size_t n = parameters.size();
  // Depth-first search along "is conditional on" edges; reaching a parameter still on the
  // stack closes a cycle, which the stack then spells out.
  enum class Mark { unseen, on_stack, done };
  std::vector<Mark> mark(n, Mark::unseen);
  std::vector<std::size_t> stack;
  const std::function<void(std::size_t)> visit = [&](std::size_t i) {
    mark[i] = Mark::on_stack;
    stack.push_back(i);
    for (std::size_t parent : parents[i]) {
      if (mark[parent] == Mark::on_stack) {
        std::vector<std::string> path;
        const auto start = std::find(stack.begin(), stack.end(), parent);
        for (auto it = start; it != stack.end(); ++it) path.push_back(parameters[*it].name);
        path.push_back(parameters[parent].name);
        const auto& first = parameters[*start];
        const auto& next = path.size() > 1 ? path[1] : path[0];
        throw SpaceError(first.name, "when." + next,
                         fmt::format("conditions form a cycle: {} (x -> y: x exists only for some values of "
                                     "y), so none of them can be decided first; remove one of these conditions",
                                     fmt::join(path, " -> ")));
      }
      if (mark[parent] == Mark::unseen) visit(parent);
    }
    stack.pop_back();
    mark[i] = Mark::done;
  };
  for (std::size_t i = 0; i < n; ++i)
    if (mark[i] == Mark::unseen) visit(i);

  // Acyclic: Kahn's algorithm, always taking the earliest ready parameter, keeps the given
  // order wherever the conditions allow.
  std::vector<std::size_t> waiting(n);
  std::vector<std::vector<std::size_t>> children(n);
  for (std::size_t i = 0; i < n; ++i) {
    waiting[i] = parents[i].size();
    for (std::size_t parent : parents[i]) children[parent].push_back(i);
  }
  std::set<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i)
    if (waiting[i] == 0) ready.insert(i);
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    const std::size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (std::size_t child : children[i])
      if (--waiting[child] == 0) ready.insert(child);
  }
  return order;
}

void satisfiable(const std::vector<Parameter>& parameters,
                 const std::vector<std::vector<std::size_t>>& parents,
                 const std::vector<std::size_t>& order) {
  // A parameter is active iff a conjunction of "ancestor in set" constraints holds, and
  // ancestors are drawn independently, so it can be active iff, for each ancestor, the sets
  // asked of it intersect. needs[i][a]: the values ancestor a must take for i to be active.
  std::vector<std::map<std::size_t, std::vector<Value>>> needs(parameters.size());
  for (std::size_t i : order) {
    auto& mine = needs[i];
    const auto require = [&](std::size_t ancestor, const std::vector<Value>& values) {
      auto [it, inserted] = mine.emplace(ancestor, values);
      if (inserted) return;
      std::vector<Value> both;
      for (const auto& v : it->second)
        if (std::find(values.begin(), values.end(), v) != values.end()) both.push_back(v);
      if (both.empty())
        throw SpaceError(parameters[i].name, "when",
                         fmt::format("'{}' can never be active: its conditions, with those of its parents, "
                                     "need '{}' to be {} and also {}", parameters[i].name,
                                     parameters[ancestor].name, values_text(it->second), values_text(values)));
      it->second = std::move(both);
    };
    for (std::size_t c = 0; c < parents[i].size(); ++c) {
      for (const auto& [ancestor, values] : needs[parents[i][c]]) require(ancestor, values);
      require(parents[i][c], parameters[i].condition[c].values);
    }
  }
}

}  // namespace rungs::space::checks
