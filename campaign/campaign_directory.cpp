#include "campaign/campaign_directory.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iterator>
#include <stdexcept>

namespace rungs::campaign {

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
  return store::CampaignStore::create(output, std::move(info));
}

}  // namespace rungs::campaign
