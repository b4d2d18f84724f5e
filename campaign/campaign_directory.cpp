#include "campaign/campaign_directory.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "campaign/campaign_change.hpp"
#include "campaign/config_error.hpp"

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
  else output = fs::path("runs") / fmt::format("{}-{}{}", spec.name, simulated ? "sim-" : "", timestamp());
  return fs::absolute(output).lexically_normal();
}

CampaignStore create_campaign_directory(const CampaignSpec& spec, const fs::path& output, const std::string& mode,
                                        const nlohmann::json& options) {
  if (fs::exists(output) && !fs::is_empty(output))
    throw std::runtime_error(fmt::format("'{}' already holds other files; choose another with --output", output.string()));
  fs::create_directories(output);
  CampaignInfo info;
  info.name = spec.name;
  info.mode = mode;
  info.options = options;
  std::ifstream in(spec.file);  // a spec parsed from text (tests) may have no file
  info.campaign_yaml.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in) std::ofstream(output / "campaign.yaml") << info.campaign_yaml;
  info.campaign_file = spec.file.string();
  info.metric = spec.metric.name;
  info.direction = spec.metric.maximize ? "max" : "min";
  return CampaignStore::create(output, std::move(info));
}

CampaignStore open_campaign_directory(const CampaignSpec& spec, const fs::path& output, const std::string& mode,
                                      const nlohmann::json& options) {
  if (CampaignStore::exists(output)) {
    auto store = CampaignStore::open(output);
    if (store.info().mode != mode)
      throw ConfigError({spec.file.string(), 0, 0}, "output",
                        fmt::format("'{}' holds a campaign of `rungs {}`; resume it with `rungs resume {}`",
                                    output.string(), store.info().mode, output.string()));
    check_compatible_change(store.info().campaign_yaml, spec.file, output);
    if (store.info().options != options)
      throw ConfigError({spec.file.string(), 0, 0}, "output",
                        fmt::format("'{}' was simulated with other options ({}); use `rungs resume {}`",
                                    output.string(), store.info().options.dump(), output.string()));
    fmt::print(stderr, "Resuming the campaign in {}\n", output.string());
    return store;
  }
  try {
    return create_campaign_directory(spec, output, mode, options);
  } catch (const std::runtime_error& e) {
    throw ConfigError({spec.file.string(), 0, 0}, "output", e.what());
  }
}

CampaignSpec stored_spec(const CampaignStore& store) {
  const auto& info = store.info();
  auto spec = parse_campaign(info.campaign_yaml, (store.directory() / "campaign.yaml").string(),
                             fs::path(info.campaign_file).parent_path());
  spec.file = info.campaign_file;
  return spec;
}

}  // namespace rungs::campaign
