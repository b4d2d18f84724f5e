// Reading a study's settings (campaign/study_spec.hpp) with the campaign file's section readers.
#include "campaign/study_spec.hpp"

#include "campaign/yaml_budget.hpp"
#include "campaign/yaml_optimizer.hpp"
#include "campaign/yaml_reader.hpp"
#include "campaign/yaml_scheduler.hpp"
#include "campaign/yaml_space.hpp"

namespace rungs::campaign {

StudySpec parse_study(const std::string& text, const std::string& file_name) {
  const auto root = YamlNode::load_string(text, file_name);
  root.expect_map();
  root.expect_keys({"space", "budget", "scheduler", "optimizer"});
  StudySpec spec;
  if (auto space = root.find("space")) spec.space = read_search_space(*space);
  if (auto scheduler = root.find("scheduler")) {
    // `scheduler: asha` for `scheduler: {type: asha}`, as `optimizer: tpe` is written.
    if (scheduler->is_scalar()) {
      YAML::Node map;
      map["type"] = scheduler->raw();
      spec.scheduler = read_scheduler(YamlNode(map, scheduler->file(), scheduler->path()));
    } else {
      spec.scheduler = read_scheduler(*scheduler);
    }
  }
  if (auto budget = root.find("budget")) spec.ladder = read_budget(*budget, spec.scheduler.eta);
  if (auto optimizer = root.find("optimizer")) spec.optimizer = read_optimizer(*optimizer);
  return spec;
}

space::SearchSpace load_space(const std::filesystem::path& file) {
  const auto root = YamlNode::load_file(file.string());
  root.expect_map();
  const bool campaign = root.has("space") && (root.has("budget") || root.has("trial"));
  return read_search_space(campaign ? root.at("space") : YamlNode(root.raw(), root.file(), ""));
}

}  // namespace rungs::campaign
