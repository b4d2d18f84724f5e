#include "campaign/progress_line.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include "text/safe_text.hpp"

namespace rungs::campaign {

std::string format_progress(const ProgressSnapshot& s) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(s.elapsed).count();
  std::string best = "-";
  if (s.best) best = fmt::format("{:.4g} (trial {})", *s.best, s.best_trial.value_or(0));
  return fmt::format("[{:02d}:{:02d}] running {} | completed {} | stopped early {} | failed {} | budget {:.4g} | best {} {}",
                     seconds / 60, seconds % 60, s.running, s.completed, s.stopped, s.failed,
                     s.budget_used, text::safe_text(s.metric), best);  // the metric name comes from the YAML
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
