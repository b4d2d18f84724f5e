#include "campaign/campaign_directory.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <type_traits>
#include <variant>

#include "campaign/trial_launch.hpp"

namespace rungs::campaign {

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

store::CampaignStore create_campaign_directory(const CampaignSpec& spec, const std::filesystem::path& output,
                                               const std::string& mode, const nlohmann::json& options) {
  namespace fs = std::filesystem;
  if (fs::exists(output) && !fs::is_empty(output))
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
  return store::CampaignStore::create(output, std::move(info));
}

}  // namespace rungs::campaign
