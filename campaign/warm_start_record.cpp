// A warm start's narrowing (the bounding box), its record in the store and the lines that
// show it (campaign/warm_start.hpp).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>

#include "campaign/campaign_spec.hpp"
#include "campaign/trial_launch.hpp"
#include "campaign/warm_start.hpp"
#include "space/encoding.hpp"

namespace rungs::campaign {

namespace {

// Parameters some condition reads: their values select children, so they keep their domain.
std::set<std::string> condition_parents(const space::SearchSpace& space) {
  std::set<std::string> parents;
  for (const auto& p : space.parameters())
    for (const auto& clause : p.condition) parents.insert(clause.parent);
  return parents;
}

// A numeric domain cut to the encoded interval [lo, hi] (bounds rounded outwards for ints).
space::Domain cut(const space::Domain& domain, double lo, double hi) {
  if (const auto* f = std::get_if<space::FloatDomain>(&domain)) {
    auto out = *f;
    // Outwards to 3 significant digits: bounds people read ("0.0021", not "0.00209871...").
    const auto round = [](double x, bool up) {
      if (x == 0 || !std::isfinite(x)) return x;
      const double unit = std::pow(10.0, std::floor(std::log10(std::abs(x))) - 2);
      // Through the text, so that the double is the one "0.00105" reads as (no ...0002 tail).
      return std::stod(fmt::format("{:.3g}", (up ? std::ceil(x / unit) : std::floor(x / unit)) * unit));
    };
    out.low = std::max(f->low, round(std::get<double>(space::decode_value(domain, lo)), false));
    out.high = std::min(f->high, round(std::get<double>(space::decode_value(domain, hi)), true));
    if (lo <= 0) out.low = f->low;  // exact bounds where the box reaches them
    if (hi >= 1) out.high = f->high;
    return out;
  }
  const auto& i = std::get<space::IntDomain>(domain);
  auto out = i;
  const auto bound = [&](double u, bool up) {
    // decode_value rounds to the nearest integer; outwards is what keeps the box's points.
    const auto nearest = std::get<std::int64_t>(space::decode_value(domain, u));
    const double back = space::encode_value(domain, space::Value(nearest));
    if (up && back < u) return std::min(nearest + 1, i.high);
    if (!up && back > u) return std::max(nearest - 1, i.low);
    return nearest;
  };
  out.low = bound(lo, false);
  out.high = bound(hi, true);
  if (out.low >= out.high) {  // one integer: the next one too, so that the domain is valid
    if (out.high < i.high) ++out.high;
    else --out.low;
  }
  return out;
}

space::Value value_from_json(const nlohmann::json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number()) return value.get<double>();
  return value.get<std::string>();
}

space::Config config_from_json(const nlohmann::json& json) {
  space::Config config;
  for (const auto& [name, value] : json.items()) config.emplace(name, value_from_json(value));
  return config;
}

nlohmann::json domain_json(const space::Domain& domain) {
  if (const auto* c = std::get_if<space::CategoricalDomain>(&domain)) return {{"choices", c->choices}};
  if (const auto* f = std::get_if<space::FloatDomain>(&domain)) return {{"low", f->low}, {"high", f->high}};
  const auto& i = std::get<space::IntDomain>(domain);
  return {{"low", i.low}, {"high", i.high}};
}

// The original domain with the recorded bounds or choices.
space::Domain domain_from_json(const space::Domain& original, const nlohmann::json& json) {
  if (auto c = std::get_if<space::CategoricalDomain>(&original)) {
    auto out = *c;
    out.choices = json.at("choices").get<std::vector<std::string>>();
    return out;
  }
  if (auto f = std::get_if<space::FloatDomain>(&original)) {
    auto out = *f;
    out.low = json.at("low").get<double>();
    out.high = json.at("high").get<double>();
    return out;
  }
  auto out = std::get<space::IntDomain>(original);
  out.low = json.at("low").get<std::int64_t>();
  out.high = json.at("high").get<std::int64_t>();
  return out;
}

}  // namespace

std::vector<NarrowedParameter> bounding_box(const space::SearchSpace& space, const std::vector<space::Config>& points,
                                            double margin) {
  std::vector<NarrowedParameter> narrowed;
  const auto parents = condition_parents(space);
  for (const auto& p : space.parameters()) {
    if (parents.count(p.name)) continue;
    std::vector<space::Value> values;
    for (const auto& config : points)
      if (const auto found = config.find(p.name); found != config.end()) values.push_back(found->second);
    if (values.empty()) continue;  // never active among the best: nothing to say about it
    space::Domain domain;
    if (const auto* c = std::get_if<space::CategoricalDomain>(&p.domain)) {
      space::CategoricalDomain kept;
      for (const auto& choice : c->choices)
        if (std::find(values.begin(), values.end(), space::Value(choice)) != values.end()) kept.choices.push_back(choice);
      if (kept.choices.size() == c->choices.size()) continue;
      domain = kept;
    } else {
      double lo = 1, hi = 0;
      for (const auto& value : values) {
        const double u = space::encode_value(p.domain, value);
        lo = std::min(lo, u);
        hi = std::max(hi, u);
      }
      lo = std::max(0.0, lo - margin);
      hi = std::min(1.0, hi + margin);
      if (lo <= 0 && hi >= 1) continue;
      domain = cut(p.domain, lo, hi);
    }
    narrowed.push_back({p.name, space::describe(p.domain), space::describe(domain), domain});
  }
  return narrowed;
}

space::SearchSpace apply_narrowing(const space::SearchSpace& space, const std::vector<NarrowedParameter>& narrowed) {
  if (narrowed.empty()) return space;
  auto parameters = space.parameters();
  for (auto& p : parameters) {
    const auto it = std::find_if(narrowed.begin(), narrowed.end(), [&](const auto& n) { return n.name == p.name; });
    if (it == narrowed.end()) continue;
    p.domain = it->domain;
    if (!p.prior) continue;
    // A prior's centre outside the box is clipped into it; weights of choices gone are dropped.
    if (auto* numeric = std::get_if<space::NumericPrior>(&*p.prior)) {
      if (const auto* f = std::get_if<space::FloatDomain>(&p.domain)) numeric->center = std::clamp(numeric->center, f->low, f->high);
      if (const auto* i = std::get_if<space::IntDomain>(&p.domain))
        numeric->center = std::clamp(numeric->center, static_cast<double>(i->low), static_cast<double>(i->high));
    } else if (auto* choice = std::get_if<space::ChoicePrior>(&*p.prior)) {
      const auto& kept = std::get<space::CategoricalDomain>(p.domain).choices;
      std::erase_if(choice->weights, [&](const auto& w) { return std::find(kept.begin(), kept.end(), w.first) == kept.end(); });
    }
  }
  return space::SearchSpace(std::move(parameters));
}

nlohmann::json to_json(const WarmStart& warm) {
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& use : warm.sources) {
    nlohmann::json best = nlohmann::json::array();
    for (const auto& config : use.best) best.push_back(to_json(config));
    sources.push_back({{"path", use.path}, {"campaign", use.campaign}, {"mode", use.mode},
                       {"observations", use.observations}, {"dropped", use.dropped}, {"changes", use.changes},
                       {"levels", use.levels}, {"best", best}});
  }
  nlohmann::json observations = nlohmann::json::array();
  for (const auto& o : warm.observations) observations.push_back({to_json(o.config), o.level, o.value});
  nlohmann::json first = nlohmann::json::array();
  for (const auto& config : warm.first) first.push_back(to_json(config));
  nlohmann::json narrowed = nlohmann::json::array();
  for (const auto& n : warm.narrowed)
    narrowed.push_back({{"parameter", n.name}, {"from", n.from}, {"to", n.to}, {"domain", domain_json(n.domain)}});
  return {{"sources", sources}, {"observations", observations}, {"first", first}, {"narrowed", narrowed}};
}

WarmStart warm_start_from_json(const nlohmann::json& json, const space::SearchSpace& original) {
  WarmStart warm;
  for (const auto& s : json.at("sources")) {
    WarmStartUse use;
    use.path = s.at("path").get<std::string>();
    use.campaign = s.value("campaign", "");
    use.mode = s.at("mode").get<std::string>();
    use.observations = s.value("observations", std::size_t{0});
    use.dropped = s.value("dropped", std::size_t{0});
    use.changes = s.value("changes", std::vector<std::string>{});
    use.levels = s.value("levels", "");
    for (const auto& config : s.value("best", nlohmann::json::array())) use.best.push_back(config_from_json(config));
    warm.sources.push_back(std::move(use));
  }
  // [params, level, value]: compact, a campaign may copy thousands.
  for (const auto& o : json.at("observations"))
    warm.observations.push_back({config_from_json(o.at(0)), o.at(1).get<std::size_t>(), o.at(2).get<double>()});
  for (const auto& config : json.at("first")) warm.first.push_back(config_from_json(config));
  for (const auto& n : json.at("narrowed")) {
    const auto name = n.at("parameter").get<std::string>();
    const auto* p = original.find(name);
    if (!p) throw std::invalid_argument(fmt::format("the recorded warm start narrows '{}', which the space lacks", name));
    warm.narrowed.push_back({name, n.at("from"), n.at("to"), domain_from_json(p->domain, n.at("domain"))});
  }
  warm.space = apply_narrowing(original, warm.narrowed);
  return warm;
}

void use_warm_start(CampaignSpec& spec, WarmStart warm) {
  warm.original = spec.warm ? spec.warm->original : spec.space;
  spec.space = warm.space;
  spec.warm = std::move(warm);
}

void use_recorded_warm_start(CampaignSpec& spec, const store::CampaignInfo& info) {
  if (info.warm_start.is_null()) return;
  const auto original = spec.warm ? spec.warm->original : spec.space;
  try {
    use_warm_start(spec, warm_start_from_json(info.warm_start, original));
  } catch (const std::exception& e) {
    throw ConfigError({spec.file.string(), 0, 0}, "warm_start",
                      fmt::format("the warm start recorded with this campaign does not fit its space: {}", e.what()));
  }
}

std::vector<std::string> warm_start_lines(const WarmStart& warm) {
  if (warm.empty()) return {};
  std::vector<std::string> parts;
  for (const auto& use : warm.sources) {
    if (use.mode == "observations")
      parts.push_back(fmt::format("{} ({} observations{})", use.path, use.observations,
                                  use.dropped ? fmt::format(", {} dropped: outside this space or ladder", use.dropped) : ""));
    else
      parts.push_back(fmt::format("{} ({} best configuration{} to try first)", use.path, use.best.size(),
                                  use.best.size() == 1 ? "" : "s"));
  }
  std::vector<std::string> lines = {fmt::format("Warm start: {}", fmt::join(parts, "; "))};
  for (const auto& use : warm.sources) {
    for (const auto& change : use.changes) lines.push_back(fmt::format("  {}", change));
    if (!use.levels.empty()) lines.push_back(fmt::format("  {}: {}", use.path, use.levels));
  }
  for (const auto& n : warm.narrowed) lines.push_back(fmt::format("  narrowed {}: {} -> {}", n.name, n.from, n.to));
  return lines;
}

std::vector<std::string> recorded_warm_start_lines(const store::CampaignInfo& info) {
  if (info.warm_start.is_null()) return {};
  try {
    // The lines need no space: narrowing is shown from its recorded text.
    WarmStart warm;
    const auto& json = info.warm_start;
    auto full = json;
    full["observations"] = nlohmann::json::array();
    full["narrowed"] = nlohmann::json::array();
    warm = warm_start_from_json(full, space::SearchSpace());
    auto lines = warm_start_lines(warm);
    for (const auto& n : json.at("narrowed"))
      lines.push_back(fmt::format("  narrowed {}: {} -> {}", n.at("parameter").get<std::string>(),
                                  n.at("from").get<std::string>(), n.at("to").get<std::string>()));
    return lines;
  } catch (const std::exception& e) {
    return {fmt::format("Warm start: recorded, but unreadable ({})", e.what())};
  }
}

}  // namespace rungs::campaign
