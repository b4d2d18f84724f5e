#include "report/warm_start_summary.hpp"

namespace rungs::report {

nlohmann::json warm_start_summary(const store::CampaignInfo& info) {
  if (info.warm_start.is_null()) return nullptr;
  const auto& json = info.warm_start;
  nlohmann::json sources = nlohmann::json::array();
  for (const auto& s : json.value("sources", nlohmann::json::array())) {
    auto shown = s;
    shown.erase("best");
    shown["best"] = s.value("best", nlohmann::json::array()).size();
    sources.push_back(shown);
  }
  nlohmann::json narrowed = nlohmann::json::array();
  for (const auto& n : json.value("narrowed", nlohmann::json::array()))
    narrowed.push_back({{"parameter", n.value("parameter", "")}, {"from", n.value("from", "")}, {"to", n.value("to", "")}});
  return {{"sources", sources},
          {"observations", json.value("observations", nlohmann::json::array()).size()},
          {"first", json.value("first", nlohmann::json::array()).size()},
          {"narrowed", narrowed}};
}

}  // namespace rungs::report
