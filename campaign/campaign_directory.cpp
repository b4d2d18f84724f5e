#include "campaign/campaign_directory.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "campaign/trial_launch.hpp"

#include "campaign/campaign_change.hpp"
#include "campaign/campaign_lock.hpp"
#include "campaign/config_error.hpp"
#include "campaign/campaign_growth.hpp"
#include "text/shell_word.hpp"

namespace rungs::campaign {

namespace fs = std::filesystem;

namespace {

std::string timestamp() {
  const auto now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d-%H%M%S", std::localtime(&now));
  return text;
}

}  // namespace

fs::path output_directory(const CampaignSpec& spec, const std::string& flag, bool simulated) {
  fs::path output;
  if (!flag.empty()) output = flag;
  else if (!spec.output.empty() && !simulated) output = spec.output;
  else
    return claim_new_directory(
        fs::absolute(fs::path("runs") / fmt::format("{}-{}{}", spec.name, simulated ? "sim-" : "", timestamp()))
            .lexically_normal());
  return fs::absolute(output).lexically_normal();
}

fs::path claim_new_directory(const fs::path& wanted) {
  if (wanted.has_parent_path()) fs::create_directories(wanted.parent_path());
  for (unsigned suffix = 1;; ++suffix) {
    auto candidate = wanted;
    if (suffix > 1) candidate += fmt::format("-{}", suffix);
    std::error_code ec;
    if (fs::create_directory(candidate, ec)) return candidate;  // false with no error: it exists
    if (ec && ec != std::errc::file_exists) throw fs::filesystem_error("cannot create the results directory", candidate, ec);
  }
}

namespace {

// The prior as the store records it (store/records.hpp, ParameterInfo::prior).
nlohmann::json describe_prior(const space::Parameter& parameter) {
  if (const auto* numeric = std::get_if<space::NumericPrior>(&*parameter.prior))
    return {{"center", numeric->center}, {"sigma", numeric->sigma}};
  const auto& weights = std::get<space::ChoicePrior>(*parameter.prior).weights;
  const auto& choices = std::get<space::CategoricalDomain>(parameter.domain).choices;
  const auto weight = [&](const std::string& c) { return weights.count(c) ? weights.at(c) : 1.0; };
  std::string center = choices.front();
  for (const auto& choice : choices)
    if (weight(choice) > weight(center)) center = choice;
  return {{"center", center}, {"weights", weights}};
}

}  // namespace

std::vector<store::ParameterInfo> describe_space(const space::SearchSpace& space) {
  std::vector<store::ParameterInfo> parameters;
  for (const auto& parameter : space.parameters()) {
    store::ParameterInfo info;
    info.name = parameter.name;
    info.type = space::type_name(parameter.domain);
    std::visit(
        [&info](const auto& domain) {
          using Domain = std::decay_t<decltype(domain)>;
          if constexpr (std::is_same_v<Domain, space::CategoricalDomain>) {
            info.choices = domain.choices;
          } else {
            info.log = domain.scale == space::Scale::log;
            info.low = static_cast<double>(domain.low);
            info.high = static_cast<double>(domain.high);
          }
        },
        parameter.domain);
    if (parameter.prior) info.prior = describe_prior(parameter);
    for (const auto& clause : parameter.condition) {
      auto& values = info.when[clause.parent] = nlohmann::json::array();
      for (const auto& value : clause.values) std::visit([&values](const auto& v) { values.push_back(v); }, value);
    }
    parameters.push_back(std::move(info));
  }
  return parameters;
}

store::LadderInfo describe_ladder(const fidelity::BudgetLadder& ladder) {
  store::LadderInfo info;
  info.eta = ladder.eta();
  info.min_units = ladder.min_units();
  info.max_units = ladder.max_units();
  for (std::size_t level = 0; level < ladder.levels(); ++level) {
    const auto& budget = ladder.at(level);
    info.levels.push_back({static_cast<std::int64_t>(level), budget.units, budget.cost, to_json(ladder, budget)});
  }
  return info;
}

store::CampaignStore create_campaign_directory(const CampaignSpec& spec, const fs::path& output,
                                               const std::string& mode, const nlohmann::json& options) {
  // Empty but for the lock its writer holds (campaign/campaign_lock.hpp).
  const auto holds_files = [](const fs::path& dir) {
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.path().filename() != CampaignLock::kFileName) return true;
    return false;
  };
  if (fs::exists(output) && holds_files(output))
    throw std::runtime_error(fmt::format("'{}' already holds other files; choose another with --output", output.string()));
  fs::create_directories(output);
  store::CampaignInfo info;
  info.name = spec.name;
  info.mode = mode;
  info.options = options;
  std::ifstream in(spec.file);  // a spec parsed from text (tests) may have no file
  info.campaign_yaml.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in) std::ofstream(output / "campaign.yaml") << info.campaign_yaml;
  info.campaign_file = spec.file.string();
  info.metric = spec.metric.name;
  info.direction = spec.metric.maximize ? "max" : "min";
  // What `rungs status` and `rungs report` show of the campaign, as data: they need not parse
  // the YAML again (nor load its plugins) to read a campaign.
  info.space = describe_space(spec.space);
  info.ladder = describe_ladder(spec.ladder);
  if (spec.warm) info.warm_start = to_json(*spec.warm);  // copied: a resume replays these (warm_start.hpp)
  return store::CampaignStore::create(output, std::move(info));
}

store::CampaignStore open_campaign_directory(const CampaignSpec& spec, const fs::path& output, const std::string& mode,
                                      const nlohmann::json& options) {
  if (store::CampaignStore::exists(output)) {
    auto store = store::CampaignStore::open(output);
    if (store.info().mode != mode)
      throw ConfigError({spec.file.string(), 0, 0}, "output",
                        fmt::format("'{}' holds a campaign of `rungs {}`; resume it with `rungs resume {}`",
                                    output.string(), store.info().mode, text::shell_word(output.string())));
    check_compatible_change(store.info().campaign_yaml, spec.file, output);
    std::ifstream in(spec.file);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (check_growth(store.info().campaign_yaml, output, spec, text, spec.file.string()))
      fmt::print(stderr, "Growing the campaign in {}: its limits grew\n", output.string());
    // `rungs run` without options (no -w) goes on as the campaign was started.
    const bool as_recorded = mode == "run" && options.empty();
    if (!as_recorded && store.info().options != options)
      throw ConfigError({spec.file.string(), 0, 0}, "output",
                        fmt::format("'{}' was started with other options ({}); a resumed campaign replays its decisions "
                                    "with them: use `rungs resume {}`",
                                    output.string(), store.info().options.dump(), text::shell_word(output.string())));
    fmt::print(stderr, "Resuming the campaign in {}\n", output.string());
    return store;
  }
  try {
    return create_campaign_directory(spec, output, mode, options);
  } catch (const std::runtime_error& e) {
    throw ConfigError({spec.file.string(), 0, 0}, "output", e.what());
  }
}

CampaignSpec stored_spec(const store::CampaignStore& store) {
  const auto& info = store.info();
  auto spec = parse_campaign(info.campaign_yaml, (store.directory() / "campaign.yaml").string(),
                             fs::path(info.campaign_file).parent_path());
  spec.file = info.campaign_file;
  use_recorded_warm_start(spec, info);
  return spec;
}

}  // namespace rungs::campaign
