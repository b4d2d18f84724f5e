#include "campaign/progress_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>

#include "text/safe_text.hpp"

namespace rungs::campaign {

std::optional<double> fraction_done(const ProgressSnapshot& s) {
  const auto ratio = [](double done, double total) { return std::clamp(done / total, 0.0, 1.0); };
  std::optional<double> fraction;
  const auto at_least = [&fraction](double f) { fraction = std::max(fraction.value_or(0.0), f); };
  if (s.cost_limit && *s.cost_limit > 0) at_least(ratio(s.budget_done, *s.cost_limit));
  if (s.wall_limit && *s.wall_limit > 0) at_least(ratio(std::chrono::duration<double>(s.elapsed).count(), *s.wall_limit));
  if (s.budget_planned && *s.budget_planned > 0) {
    at_least(ratio(s.budget_done, *s.budget_planned));
    return fraction;
  }
  if (s.units_limit && *s.units_limit > 0) fraction = ratio(s.units_done, *s.units_limit);
  if (s.trial_limit && *s.trial_limit > 0) {
    const double by_trials = ratio(static_cast<double>(s.trials_done()), static_cast<double>(*s.trial_limit));
    fraction = std::max(fraction.value_or(0.0), by_trials);
  }
  return fraction;
}

std::optional<double> estimate_seconds_left(const ProgressSnapshot& s) {
  const auto fraction = fraction_done(s);
  const double elapsed = std::chrono::duration<double>(s.elapsed).count();
  if (!fraction || *fraction <= 0 || !(elapsed > 0)) return std::nullopt;
  return elapsed * (1 - *fraction) / *fraction;
}

std::string format_time_left(std::optional<double> seconds) {
  if (!seconds || !std::isfinite(*seconds)) return "?";
  const auto whole = static_cast<long long>(std::llround(std::max(0.0, *seconds)));
  if (whole < 60) return fmt::format("{}s", whole);
  if (whole < 3600) return fmt::format("{}m", (whole + 30) / 60);
  if (whole < 48 * 3600) return fmt::format("{}h{:02d}m", whole / 3600, (whole % 3600) / 60);
  return fmt::format("{:.1f} days", static_cast<double>(whole) / 86400);
}

std::string format_progress(const ProgressSnapshot& s) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(s.elapsed).count();
  std::string best = "-";
  if (s.best) best = fmt::format("{:.4g} (trial {})", *s.best, s.best_trial.value_or(0));
  std::string trials;
  if (s.trial_limit) trials = fmt::format(" | done {}/{} trials", s.trials_done(), *s.trial_limit);
  std::string left;
  if (!s.finished) {
    const auto seconds_left = estimate_seconds_left(s);
    left = fmt::format(" | left {}{}", seconds_left ? "~" : "", format_time_left(seconds_left));
  }
  const auto of_limit = s.cost_limit ? fmt::format("/{:.4g}", *s.cost_limit) : std::string();
  return fmt::format("[{:02d}:{:02d}] running {} | waiting {} | completed {} | stopped early {} | failed {}{} | budget {:.4g}{}{} | best {} {}",
                     seconds / 60, seconds % 60, s.running, s.waiting, s.completed, s.stopped, s.failed, trials,
                     s.budget_used, of_limit, left, text::safe_text(s.metric), best);  // the metric name comes from the YAML
}

ProgressLine::ProgressLine(std::FILE* out) : out_(out), terminal_(out && isatty(fileno(out))) {}

void ProgressLine::update(const ProgressSnapshot& snapshot) {
  if (!out_) return;
  if (terminal_) {
    fmt::print(out_, "\r\x1b[2K{}", format_progress(snapshot));  // redraw in place
    std::fflush(out_);
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_plain_ < std::chrono::seconds(5)) return;
  last_plain_ = now;
  fmt::print(out_, "{}\n", format_progress(snapshot));
  std::fflush(out_);
}

void ProgressLine::finish(const ProgressSnapshot& snapshot) {
  if (!out_) return;
  fmt::print(out_, "{}{}\n", terminal_ ? "\r\x1b[2K" : "", format_progress(snapshot));
  std::fflush(out_);
}

}  // namespace rungs::campaign
