#include "report/status.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "text/safe_text.hpp"
#include "text/shell_word.hpp"

namespace rungs::report {

namespace {

// Columns padded to their widest cell; numbers right-aligned so their digits line up.
class TextTable {
 public:
  struct Column {
    std::string title;
    bool right = false;
  };
  explicit TextTable(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // Cells may hold what trials printed or YAML said: control sequences are shown, not obeyed.
  void add(std::vector<std::string> row) {
    for (auto& cell : row) cell = text::safe_text(cell);
    rows_.push_back(std::move(row));
  }

  void print(std::FILE* out, const std::string& indent = "  ") const {
    std::vector<std::size_t> widths;
    for (const auto& column : columns_) widths.push_back(column.title.size());
    for (const auto& row : rows_)
      for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    auto line = [&](auto cell_of) {
      std::string text = indent;
      for (std::size_t i = 0; i < columns_.size(); ++i) {
        const std::string cell = cell_of(i);
        const bool last = i + 1 == columns_.size();
        if (columns_[i].right) text += fmt::format("{:>{}}", cell, widths[i]);
        else text += last ? cell : fmt::format("{:<{}}", cell, widths[i]);
        if (!last) text += "  ";
      }
      while (!text.empty() && text.back() == ' ') text.pop_back();
      fmt::print(out, "{}\n", text);
    };
    line([&](std::size_t i) { return columns_[i].title; });
    for (const auto& row : rows_) line([&](std::size_t i) { return i < row.size() ? row[i] : std::string(); });
  }

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// The states in the order a trial goes through them, then any other a newer rungs writes.
const std::vector<std::string> kStates = {"running", "waiting", "stopped", "completed", "failed"};

std::string number(std::optional<double> value) { return value ? fmt::format("{:.6g}", *value) : "-"; }

std::string count_of(const std::map<std::string, std::size_t>& counts, const std::string& state) {
  const auto found = counts.find(state);
  return std::to_string(found == counts.end() ? 0 : found->second);
}

std::string truncate(std::string text, std::size_t width) {
  for (auto& c : text)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  if (text.size() > width) text = text.substr(0, width - 3) + "...";
  return text;
}

std::string describe_state(const CampaignSnapshot& s, const StatusOptions& options) {
  const auto state = campaign_state(s, options);
  if (state == "failed") return "failed: " + text::safe_text(s.failed.value_or(""));
  if (state == "interrupted") return fmt::format("interrupted (go on with `rungs resume {}`)", text::shell_word(s.directory.string()));
  if (state == "unknown") return "not finished (running, or interrupted)";
  return state;
}

void print_header(const CampaignSnapshot& s, std::FILE* out, const StatusOptions& options) {
  const auto& info = s.info;
  fmt::print(out, "Campaign {}{}: {} ({}), {} trial{}, elapsed {}{}, {}\n", text::safe_text(info.name),
             info.mode == "simulate" ? " (simulated)" : "", text::safe_text(info.metric), info.direction, s.trials.size(),
             s.trials.size() == 1 ? "" : "s", format_duration(s.elapsed),
             info.mode == "simulate" ? " (virtual)" : "",
             describe_state(s, options));
  std::string states;
  for (const auto& state : kStates) states += fmt::format("{}{} {}", states.empty() ? "" : ", ", state, count_of(s.states, state));
  for (const auto& [state, count] : s.states)
    if (std::find(kStates.begin(), kStates.end(), state) == kStates.end()) states += fmt::format(", {} {}", state, count);
  fmt::print(out, "Trials: {}\n", states);
  fmt::print(out, "Runs: {} ({} out), reports {}, warnings {}, budget spent {}\n", s.runs.size(), s.runs_out, s.reports,
             s.warnings,
             s.budget_spent ? fmt::format("{:.6g} units", *s.budget_spent) : "unknown (a launch recorded no cost)");
}

void print_best(const CampaignSnapshot& s, std::FILE* out) {
  if (!s.best) {
    fmt::print(out, "\nBest so far: none yet (no run has reached its budget)\n");
    return;
  }
  const auto& best = *s.best;
  const auto budget = describe_budget(best.budget);
  fmt::print(out, "\nBest so far: trial {}, {} = {:.6g} at level {}{}\n", best.trial, text::safe_text(s.info.metric),
             best.value, best.level, budget.empty() ? "" : fmt::format(" ({})", text::safe_text(budget)));
  for (const auto& [name, value] : best.params.items())
    fmt::print(out, "  {}: {}\n", text::safe_text(name), text::safe_text(describe_value(value)));
}

// Several objectives: the Pareto front; constraints: how many runs violated each, and one
// whose metric no run has reported (a misspelt name, a trainer that does not print it).
void print_objectives(const CampaignSnapshot& s, std::FILE* out) {
  for (const auto& c : s.constraints) {
    if (!c.reported)
      fmt::print(out, "\nConstraint '{}': no run has reported '{}' (every run counts as infeasible)\n",
                 text::safe_text(c.text), text::safe_text(c.metric));
    else if (c.infeasible > 0)
      fmt::print(out, "\nConstraint '{}': violated by {} run(s)\n", text::safe_text(c.text), c.infeasible);
  }
  if (s.objectives.empty()) return;
  fmt::print(out, "\nPareto front ({} point{}; feasible runs at the highest level reached)\n", s.front.size(),
             s.front.size() == 1 ? "" : "s");
  std::vector<TextTable::Column> columns = {{"trial", true}, {"level", true}};
  for (const auto& o : s.objectives) columns.push_back({fmt::format("{} ({})", o.name, o.maximize ? "max" : "min"), true});
  TextTable table(std::move(columns));
  for (const auto& p : s.front) {
    std::vector<std::string> row = {std::to_string(p.trial), std::to_string(p.level)};
    for (double v : p.values) row.push_back(fmt::format("{:.6g}", v));
    table.add(std::move(row));
  }
  table.print(out);
}

void print_rungs(const CampaignSnapshot& s, std::FILE* out) {
  if (s.rungs.empty()) return;
  fmt::print(out, "\nBrackets and rungs (reached: launched at this level or higher; the states count the trials whose highest level it is)\n");
  std::vector<TextTable::Column> columns = {{"bracket", true}, {"level", true}, {"budget"}, {"reached", true}};
  for (const auto& state : kStates) columns.push_back({state, true});
  TextTable table(std::move(columns));
  for (const auto& rung : s.rungs) {
    std::vector<std::string> row = {std::to_string(rung.bracket), std::to_string(rung.level),
                                    describe_budget(rung.budget), std::to_string(rung.reached)};
    for (const auto& state : kStates) row.push_back(count_of(rung.states, state));
    table.add(std::move(row));
  }
  table.print(out);
}

void print_trials(const CampaignSnapshot& s, std::FILE* out, const StatusOptions& options) {
  if (s.trials.empty()) {
    fmt::print(out, "\nNo trials yet.\n");
    return;
  }
  const auto order = rank_trials(s);
  std::vector<std::size_t> shown;  // positions in `order`
  std::size_t running = 0;
  for (std::size_t position = 0; position < order.size(); ++position) {
    const auto& trial = s.trials[order[position]];
    const bool is_running = trial.state == "running";
    running += is_running ? 1 : 0;
    if (options.all || position < options.top || is_running) shown.push_back(position);
  }
  if (options.all || shown.size() == order.size())
    fmt::print(out, "\nTrials, best first (final: the value at the highest level a run finished)\n");
  else
    fmt::print(out, "\nTrials: the best {}{}, best first (final: the value at the highest level a run finished)\n",
               std::min(options.top, order.size()), running ? fmt::format(" and the {} running", running) : "");

  TextTable table({{"rank", true}, {"trial", true}, {"state"}, {"bracket", true}, {"level", true}, {"budget"},
                   {"step", true}, {"last " + s.info.metric, true}, {"best " + s.info.metric, true},
                   {"final (level)", true}, {"failure"}});
  for (const auto position : shown) {
    const auto& trial = s.trials[order[position]];
    const auto final = trial.final_value();
    table.add({std::to_string(position + 1), std::to_string(trial.trial), trial.state, std::to_string(trial.bracket),
               std::to_string(trial.level), describe_budget(trial.budget), number(trial.last_step),
               number(trial.last_value), number(trial.best_reported),
               final ? fmt::format("{:.6g} ({})", final->second, final->first) : "-",
               trial.failure ? truncate(*trial.failure, 60) : ""});
  }
  table.print(out);
  if (shown.size() < order.size())
    fmt::print(out, "  ... {} more (--all lists every trial)\n", order.size() - shown.size());
}

}  // namespace

std::string campaign_state(const CampaignSnapshot& snapshot, const StatusOptions& options) {
  if (snapshot.failed) return "failed";
  if (snapshot.finished) return "finished";
  if (!options.is_running) return "unknown";
  return options.is_running() ? "running" : "interrupted";
}

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) seconds = 0;
  auto total = static_cast<long long>(std::llround(seconds));
  const long long days = total / 86400;
  total %= 86400;
  const auto clock = fmt::format("{}:{:02}:{:02}", total / 3600, total % 3600 / 60, total % 60);
  return days ? fmt::format("{}d {}", days, clock) : clock;
}

void print_status(const CampaignSnapshot& snapshot, std::FILE* out, const StatusOptions& options) {
  print_header(snapshot, out, options);
  print_best(snapshot, out);
  print_objectives(snapshot, out);
  print_rungs(snapshot, out);
  print_trials(snapshot, out, options);
  std::fflush(out);
}

void print_status(const store::CampaignStore& store, std::FILE* out, const StatusOptions& options) {
  print_status(load_snapshot(store), out, options);
}

}  // namespace rungs::report
