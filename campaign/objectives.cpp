#include "campaign/objectives.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <regex>

#include "campaign/campaign_spec.hpp"

namespace rungs::campaign {

namespace {
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

}  // namespace

double Constraint::margin(std::optional<double> reported) const {
  if (!reported || !std::isfinite(*reported)) return kMissing;
  const double scale = std::max(std::abs(threshold), 1.0);
  return (at_most ? *reported - threshold : threshold - *reported) / scale;
}

Constraint parse_constraint(const std::string& text) {
  // METRIC (<= | >=) NUMBER, spaces anywhere between.
  static const std::regex grammar(R"(^\s*([A-Za-z_][A-Za-z0-9_.\-/]*)\s*(<=|>=)\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)\s*$)");
  std::smatch match;
  if (!std::regex_match(text, match, grammar)) {
    std::string hint = "expected METRIC <= NUMBER or METRIC >= NUMBER, e.g. \"latency_ms <= 20\"";
    if (text.find('<') != std::string::npos && text.find("<=") == std::string::npos)
      hint += " (strict < is not supported: use <=)";
    else if (text.find('>') != std::string::npos && text.find(">=") == std::string::npos)
      hint += " (strict > is not supported: use >=)";
    throw std::invalid_argument(fmt::format("'{}': {}", text, hint));
  }
  Constraint c;
  c.metric = match[1];
  c.at_most = match[2] == "<=";
  c.threshold = std::stod(match[3]);
  c.text = fmt::format("{} {} {}", c.metric, match[2].str(), match[3].str());
  return c;
}

LineValue read_line(const MetricSpec& metric, const Objectives& objectives, const nlohmann::json& metrics) {
  LineValue line;
  if (!objectives.several()) {
    const auto it = metrics.find(metric.name);
    if (it == metrics.end()) return line;
    line.has_value = true;
    const double reported = it->is_number() ? it->get<double>() : kMissing;  // null: NaN/inf
    line.value = std::isfinite(reported) ? metric.to_minimize(reported) : kMissing;
    return line;
  }
  for (const auto& objective : objectives.metrics) {
    const auto it = metrics.find(objective.name);
    if (it == metrics.end()) return LineValue{};
    const double reported = it->is_number() ? it->get<double>() : kMissing;
    line.objectives.push_back(std::isfinite(reported) ? objective.to_minimize(reported) : kMissing);
  }
  line.has_value = true;
  if (objectives.scalarized()) {
    double sum = 0;
    for (std::size_t i = 0; i < line.objectives.size(); ++i) sum += objectives.weights[i] * line.objectives[i];
    line.value = std::isfinite(sum) ? sum : kMissing;
  } else {
    line.value = line.objectives.front();
  }
  return line;
}

void note_constraints(const Objectives& objectives, const nlohmann::json& metrics, std::vector<double>& latest) {
  latest.resize(objectives.constraints.size(), kMissing);
  for (std::size_t k = 0; k < objectives.constraints.size(); ++k)
    if (const auto it = metrics.find(objectives.constraints[k].metric); it != metrics.end())
      latest[k] = it->is_number() ? it->get<double>() : kMissing;
}

optimizers::Measures measures_of(const Objectives& objectives, const std::vector<double>& latest,
                                 const std::vector<double>& line_objectives) {
  optimizers::Measures measures;
  for (std::size_t k = 0; k < objectives.constraints.size(); ++k)
    measures.constraints.push_back(
        objectives.constraints[k].margin(k < latest.size() ? std::optional<double>(latest[k]) : std::nullopt));
  if (objectives.several() && !objectives.scalarized()) measures.objectives = line_objectives;
  return measures;
}

}  // namespace rungs::campaign
