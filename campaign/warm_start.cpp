// Reading past campaigns for a warm start (campaign/warm_start.hpp): their space compared with
// the new one, their runs mapped onto the new ladder, their best configurations projected.
#include "campaign/warm_start.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "campaign/campaign_directory.hpp"
#include "campaign/trial_launch.hpp"
#include "space/encoding.hpp"
#include "space/space_error.hpp"
#include "store/store.hpp"

namespace rungs::campaign {

namespace {

[[noreturn]] void fail(const WarmStartSource& source, const std::string& message) {
  throw ConfigError(source.at, source.key, message);
}

std::string range_text(const store::ParameterInfo& p) {
  if (p.type == "categorical") return fmt::format("one of {}", fmt::join(p.choices, ", "));
  return fmt::format("{} in [{}, {}]{}", p.type, p.low.value_or(0), p.high.value_or(0), p.log ? ", log scale" : "");
}

// One line per parameter added, removed or changed; throws for a type change or categoricals
// with no choice in common. Returns whether the spaces have the same parameters and types.
bool compare_spaces(const WarmStartSource& source, const std::vector<store::ParameterInfo>& past,
                    const std::vector<store::ParameterInfo>& now, std::vector<std::string>& changes) {
  std::map<std::string, const store::ParameterInfo*> by_name;
  for (const auto& p : past) by_name[p.name] = &p;
  bool same = true;
  for (const auto& p : now) {
    const auto found = by_name.find(p.name);
    if (found == by_name.end()) {
      changes.push_back(fmt::format("{}: added (not in {})", p.name, source.written));
      same = false;
      continue;
    }
    const auto& old = *found->second;
    by_name.erase(found);
    if (old.type != p.type)
      fail(source, fmt::format("parameter '{}' is {} in '{}' but {} here: a warm start needs the same type for the "
                               "same name (rename one of them)",
                               p.name, old.type, source.written, p.type));
    if (p.type == "categorical") {
      const bool overlap = std::any_of(p.choices.begin(), p.choices.end(), [&](const std::string& c) {
        return std::find(old.choices.begin(), old.choices.end(), c) != old.choices.end();
      });
      if (!overlap)
        fail(source, fmt::format("parameter '{}' shares no choice with '{}' ({} there, {} here)", p.name,
                                 source.written, fmt::join(old.choices, ", "), fmt::join(p.choices, ", ")));
    }
    if (range_text(old) != range_text(p))
      changes.push_back(fmt::format("{}: range changed, {} -> {}", p.name, range_text(old), range_text(p)));
  }
  for (const auto& [name, old] : by_name) {
    changes.push_back(fmt::format("{}: removed (its values in {} are ignored)", name, source.written));
    same = false;
  }
  return same;
}

std::optional<space::Value> json_value(const nlohmann::json& value) {
  if (value.is_number_integer()) return space::Value(value.get<std::int64_t>());
  if (value.is_number()) return space::Value(value.get<double>());
  if (value.is_string()) return space::Value(value.get<std::string>());
  if (value.is_boolean()) return space::Value(std::string(value.get<bool>() ? "true" : "false"));
  return std::nullopt;
}

// A past configuration as it is in the new space (observations): every value converted, none
// added or changed; nullopt when the new space rejects it.
std::optional<space::Config> as_is(const nlohmann::json& params, const space::SearchSpace& space) {
  space::Config config;
  for (const auto& [name, value] : params.items()) {
    const auto* parameter = space.find(name);
    const auto typed = json_value(value);
    if (!parameter || !typed) return std::nullopt;
    const auto coerced = space::coerce(parameter->domain, *typed);
    if (!coerced) return std::nullopt;
    config.emplace(name, *coerced);
  }
  try {
    space.validate(config);
  } catch (const space::SpaceError&) {
    return std::nullopt;
  }
  return config;
}

// The value a parameter takes when the source says nothing usable (see warm_start.hpp).
space::Value default_value(const space::Parameter& p) {
  if (const auto* c = std::get_if<space::CategoricalDomain>(&p.domain)) {
    std::string pick = c->choices.front();
    if (p.prior)
      if (const auto* w = std::get_if<space::ChoicePrior>(&*p.prior)) {
        double heaviest = 0;
        for (const auto& choice : c->choices) {
          const double weight = w->weights.count(choice) ? w->weights.at(choice) : 1.0;
          if (weight > heaviest) heaviest = weight, pick = choice;
        }
      }
    return pick;
  }
  if (p.prior)
    if (const auto* n = std::get_if<space::NumericPrior>(&*p.prior)) {
      if (const auto* i = std::get_if<space::IntDomain>(&p.domain))
        return std::clamp<std::int64_t>(std::llround(n->center), i->low, i->high);
      return n->center;
    }
  return space::decode_value(p.domain, 0.5);  // the centre of the encoding: geometric for log scale
}

// A past configuration projected onto the new space (best mode; warm_start.hpp).
std::optional<space::Config> project(const nlohmann::json& params, const space::SearchSpace& space) {
  space::Config config;
  for (const std::size_t i : space.sampling_order()) {
    const auto& p = space.parameters()[i];
    if (!space.is_active(p, config)) continue;
    std::optional<space::Value> value;
    if (const auto found = params.find(p.name); found != params.end())
      if (const auto typed = json_value(*found)) value = space::coerce(p.domain, *typed);
    if (value && !space::contains(p.domain, *value)) {
      if (std::holds_alternative<space::CategoricalDomain>(p.domain)) value.reset();
      else value = space::decode_value(p.domain, std::clamp(space::encode_value(p.domain, *value), 0.0, 1.0));
    }
    config.emplace(p.name, value ? *value : default_value(p));
  }
  try {
    space.validate(config);
  } catch (const space::SpaceError&) {
    return std::nullopt;
  }
  return config;
}

// The new level a past run counts at, or nullopt (below the new ladder).
struct LevelMap {
  const fidelity::BudgetLadder& ladder;
  std::vector<nlohmann::json> budgets;  // the new ladder's, per level

  explicit LevelMap(const fidelity::BudgetLadder& l) : ladder(l) {
    for (std::size_t k = 0; k < ladder.levels(); ++k) budgets.push_back(to_json(ladder, ladder.at(k)));
  }

  static bool same_keys(const nlohmann::json& a, const nlohmann::json& b) {
    if (a.size() != b.size() || a.empty()) return false;
    for (const auto& [key, value] : a.items())
      if (!b.contains(key) || !value.is_number() || !b[key].is_number()) return false;
    return true;
  }
  static bool close(double a, double b) { return std::abs(a - b) <= 1e-9 * std::max(std::abs(a), std::abs(b)); }

  std::optional<std::size_t> operator()(const nlohmann::json& budget, double units) const {
    std::optional<std::size_t> lower;
    for (std::size_t k = 0; k < budgets.size(); ++k) {
      bool equal = true, below = true;
      if (same_keys(budget, budgets[k])) {
        for (const auto& [key, value] : budgets[k].items()) {
          const double past = budget[key].get<double>(), now = value.get<double>();
          equal = equal && close(past, now);
          below = below && now <= past * (1 + 1e-9);
        }
      } else {
        equal = close(units, ladder.at(k).units);
        below = ladder.at(k).units <= units * (1 + 1e-9);
      }
      if (equal) return k;
      if (below) lower = k;
    }
    return lower;
  }
};

struct Finished {
  nlohmann::json params;
  std::int64_t level;
  nlohmann::json budget;
  double units;
  double value;  // the metric, as reported
};

}  // namespace

WarmStart read_warm_start(const WarmStartSpec& spec, const space::SearchSpace& space,
                          const fidelity::BudgetLadder& ladder, const std::string& metric, bool maximize,
                          const std::vector<space::Config>& start_with) {
  WarmStart warm;
  warm.space = space;
  const auto now = describe_space(space);
  const LevelMap map_level(ladder);
  // Per source, its observations before narrowing (index into warm.sources).
  std::vector<std::vector<study::PastObservation>> pending;
  std::vector<space::Config> box_points = start_with;
  for (const auto& source : spec.from) {
    std::optional<store::CampaignStore> store;
    try {
      store.emplace(store::CampaignStore::open(source.path, /*read_only=*/true));
    } catch (const std::exception& e) {
      fail(source, fmt::format("'{}' is not a campaign directory to warm-start from: {}", source.written, e.what()));
    }
    const auto& info = store->info();
    if (info.space.empty())
      fail(source, fmt::format("'{}' records no search space (a campaign of an older rungs): it cannot warm-start "
                               "this one", source.written));
    if (info.metric != metric || (info.direction == "max") != maximize)
      fail(source, fmt::format("'{}' {}imizes '{}', this campaign {}imizes '{}': their values do not compare",
                               source.written, info.direction, info.metric, maximize ? "max" : "min", metric));
    WarmStartUse use;
    use.path = source.written;
    use.campaign = info.name;
    const bool compatible = compare_spaces(source, info.space, now, use.changes);
    if (spec.mode == WarmStartMode::Observations && !compatible)
      fail(source, fmt::format("mode: observations needs the same parameters as '{}' ({}); use mode: best",
                               source.written, use.changes.front()));
    use.mode = compatible && spec.mode != WarmStartMode::Best ? "observations" : "best";

    std::vector<Finished> runs;
    for (const auto& run : store->runs())
      if (run.end && run.end->value && std::isfinite(*run.end->value) && !run.end->stopped_by_scheduler)
        runs.push_back({run.params, run.level, run.budget, run.units, *run.end->value});

    // The level mapping, said when it is not one-to-one.
    std::map<std::int64_t, std::optional<std::size_t>> levels;
    for (const auto& run : runs)
      if (!levels.count(run.level)) levels[run.level] = map_level(run.budget, run.units);
    std::vector<std::string> mapping;
    bool identity = true;
    for (const auto& [past, mapped] : levels) {
      identity = identity && mapped && static_cast<std::int64_t>(*mapped) == past;
      mapping.push_back(mapped ? fmt::format("{} -> {}", past, *mapped) : fmt::format("{} dropped (below level 0)", past));
    }
    if (!identity) use.levels = fmt::format("levels {}", fmt::join(mapping, ", "));

    // Its best: highest level first, then value; distinct configurations.
    std::vector<const Finished*> ranked;
    for (const auto& run : runs) ranked.push_back(&run);
    const double sign = maximize ? -1 : 1;
    std::stable_sort(ranked.begin(), ranked.end(), [&](const Finished* a, const Finished* b) {
      return a->level != b->level ? a->level > b->level : sign * a->value < sign * b->value;
    });
    std::set<std::string> seen;
    for (const auto* run : ranked) {
      if (use.best.size() >= spec.top) break;
      if (!seen.insert(run->params.dump()).second) continue;
      if (auto config = project(run->params, space)) use.best.push_back(std::move(*config));
    }
    box_points.insert(box_points.end(), use.best.begin(), use.best.end());

    std::vector<study::PastObservation> observations;
    if (use.mode == "observations")
      for (const auto& run : runs) {
        const auto level = levels.at(run.level);
        const auto config = level ? as_is(run.params, space) : std::nullopt;
        if (config) observations.push_back({*config, *level, run.value});
        else ++use.dropped;
      }
    pending.push_back(std::move(observations));
    warm.sources.push_back(std::move(use));
  }

  if (spec.narrow) {
    warm.narrowed = bounding_box(space, box_points, spec.margin);
    warm.space = apply_narrowing(space, warm.narrowed);
  }
  // Observations and first candidates must belong to the space searched.
  const auto inside = [&](const space::Config& config) {
    try {
      warm.space.validate(config);
      return true;
    } catch (const space::SpaceError&) {
      return false;
    }
  };
  std::set<space::Config> queued(start_with.begin(), start_with.end());
  for (std::size_t s = 0; s < warm.sources.size(); ++s) {
    auto& use = warm.sources[s];
    for (auto& observation : pending[s]) {
      if (!inside(observation.config)) {
        ++use.dropped;
        continue;
      }
      ++use.observations;
      warm.observations.push_back(std::move(observation));
    }
    if (use.mode == "best")
      for (const auto& config : use.best)
        if (inside(config) && queued.insert(config).second) warm.first.push_back(config);
  }
  return warm;
}

WarmStart read_warm_start(const std::vector<std::filesystem::path>& directories, const space::SearchSpace& space,
                          const fidelity::BudgetLadder& ladder, const std::string& metric, bool maximize,
                          WarmStartMode mode, bool narrow) {
  WarmStartSpec spec;
  spec.mode = mode;
  spec.narrow = narrow;
  for (const auto& directory : directories)
    spec.from.push_back({std::filesystem::absolute(directory).lexically_normal(), directory.string(),
                         {directory.string(), 0, 0}, "warm_start"});
  return read_warm_start(spec, space, ladder, metric, maximize);
}

}  // namespace rungs::campaign
