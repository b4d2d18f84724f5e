#include "campaign/best_summary.hpp"

#include <fmt/format.h>

#include <fstream>
#include <variant>

#include "store/lineage.hpp"
#include "text/safe_text.hpp"

namespace rungs::campaign {

namespace {

// What the schedule's budget is counted in: the continued dimension (epochs), else units.
std::string budget_unit(const fidelity::BudgetLadder& ladder) {
  for (const auto& dim : ladder.dimensions())
    if (dim.growth == fidelity::Growth::Continued) return dim.name;
  return "units";
}

}  // namespace

void print_best(const CampaignSpec& spec, const CampaignOutcome& outcome, const store::CampaignStore& store) {
  const auto& output = store.directory();
  if (!outcome.best) {
    if (!spec.objectives.constraints.empty())
      fmt::print("No feasible trial reported a finite {}.\n", text::safe_text(spec.metric.name));
    else
      fmt::print("No trial reported a finite {}.\n", text::safe_text(spec.metric.name));
    return;
  }
  const auto& best = *outcome.best;
  std::string budget;
  for (const auto& [name, value] : spec.ladder.at(best.level).values)
    budget += fmt::format("{}{}={}", budget.empty() ? "" : ", ", name, value);
  fmt::print("Best configuration: trial {}, {} = {:.6g} at budget level {}{}\n", best.trial,
             text::safe_text(spec.metric.name), best.value, best.level,
             budget.empty() ? "" : " (" + text::safe_text(budget) + ")");
  for (const auto& [name, value] : best.config) {
    const auto* real = std::get_if<double>(&value);
    fmt::print("  {}: {}\n", text::safe_text(name), text::safe_text(real ? fmt::format("{:.6g}", *real) : space::to_string(value)));
  }
  std::string metrics;
  for (const auto& [name, value] : best.metrics.items())
    if (name != "trial" && name != "run" && name != "level" && name != "line" && name != "time")
      metrics += fmt::format("{}{}={}", metrics.empty() ? "" : ", ", name,
                             value.is_number_float() ? fmt::format("{:.4g}", value.get<double>()) : value.dump());
  // The keys and values a trial printed: its control sequences are shown, not obeyed.
  if (!metrics.empty()) fmt::print("  last report: {}\n", text::safe_text(metrics));
  std::vector<store::ScheduleSegment> schedule;
  if (std::holds_alternative<scheduler::PbtOptions>(spec.scheduler.kind)) {
    schedule = store::schedule_of(store.events_of(store::EventKind::Launch), static_cast<std::int64_t>(best.trial));
    fmt::print("  schedule: {}\n", text::safe_text(store::describe_schedule(schedule, budget_unit(spec.ladder))));
  }

  nlohmann::json file = {{"trial", best.trial}, {"level", best.level}, {"value", best.value},
                         {"metric", spec.metric.name}, {"report", best.metrics}};
  for (const auto& [name, value] : best.config) std::visit([&](const auto& v) { file["params"][name] = v; }, value);
  if (!schedule.empty()) file["schedule"] = store::to_json(schedule);
  std::ofstream(output / "best.json") << file.dump(2) << '\n';
}

void print_front(const CampaignSpec& spec, const CampaignOutcome& outcome, const std::filesystem::path& output) {
  if (!spec.objectives.several()) return;
  fmt::print("Pareto front: {} configuration{} (feasible runs at the highest level reached)\n", outcome.front.size(),
             outcome.front.size() == 1 ? "" : "s");
  for (const auto& point : outcome.front) {
    std::string values;
    for (std::size_t i = 0; i < point.values.size(); ++i)
      values += fmt::format("{}{} = {:.6g}", values.empty() ? "" : ", ", spec.objectives.metrics[i].name, point.values[i]);
    std::string params;
    for (const auto& [name, value] : point.config) {
      const auto* real = std::get_if<double>(&value);
      params += fmt::format("{}{}={}", params.empty() ? "" : ", ", name, real ? fmt::format("{:.4g}", *real) : space::to_string(value));
    }
    fmt::print("  trial {} (level {}): {}  [{}]\n", point.trial, point.level, text::safe_text(values), text::safe_text(params));
  }
  std::ofstream(output / "pareto.json") << pareto_json(spec, outcome.front).dump(2) << '\n';
}

}  // namespace rungs::campaign
