// `rungs report --watch`: report/commands.hpp.
#include <chrono>
#include <thread>

#include "report/commands.hpp"
#include "report/html_report.hpp"
#include "report/stop_signals.hpp"
#include "store/store.hpp"

namespace rungs::report {

std::filesystem::path watch_report(const std::filesystem::path& directory, const std::optional<std::filesystem::path>& output,
                                   double seconds, const std::function<bool()>& is_running,
                                   const std::function<void(const std::filesystem::path&, bool last)>& on_write) {
  const StopSignals signals;
  const auto store = store::CampaignStore::open(directory, /*read_only=*/true);
  const auto file = output.value_or(directory / "report.html");
  const auto period = std::chrono::duration<double>(seconds);
  while (true) {
    // Asked before reading: a campaign that ends meanwhile gets one more (last) write.
    const bool last = signals.requested() || !is_running();
    ReportDataOptions options;
    if (!last) options.refresh_seconds = seconds;
    write_html_report(store, file, options);
    if (on_write) on_write(file, last);
    if (last) return file;
    const auto next = std::chrono::steady_clock::now() + period;
    while (std::chrono::steady_clock::now() < next && !signals.requested())
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace rungs::report
