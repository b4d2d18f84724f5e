#include "campaign/prior_summary.hpp"

#include <fmt/format.h>

#include <vector>

#include "campaign/yaml_reader.hpp"
#include "campaign/yaml_space.hpp"

namespace rungs::campaign {

std::string prior_summary(const space::SearchSpace& space, std::size_t start_with) {
  std::vector<std::string> priors;
  for (const auto& parameter : space.parameters())
    if (parameter.prior) priors.push_back(fmt::format("{} ({})", parameter.name, space::describe(*parameter.prior)));
  std::vector<std::string> parts;
  if (!priors.empty()) parts.push_back(fmt::format("priors on {}", fmt::join(priors, ", ")));
  if (start_with > 0)
    parts.push_back(fmt::format("{} start_with configuration{}", start_with, start_with == 1 ? "" : "s"));
  if (parts.empty()) return "";
  return fmt::format("Prior knowledge: {}", fmt::join(parts, "; "));
}

std::string recorded_prior_summary(const std::filesystem::path& directory) {
  const auto file = directory / "campaign.yaml";
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return "";
  try {
    const auto root = YamlNode::load_file(file.string());
    const auto start_with = root.find("start_with");
    return prior_summary(read_search_space(root.at("space")),
                         start_with && start_with->is_sequence() ? start_with->items().size() : 0);
  } catch (const std::exception&) {
    return "";
  }
}

}  // namespace rungs::campaign
