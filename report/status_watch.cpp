// `rungs status --watch`: report/commands.hpp.
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "report/commands.hpp"
#include "report/status_json.hpp"
#include "report/stop_signals.hpp"

namespace rungs::report {

void print_status_once(const CampaignSnapshot& snapshot, const StatusOptions& options, std::FILE* out) {
  if (!options.json) {
    print_status(snapshot, out, options);
    if (options.extra_lines)
      for (const auto& line : options.extra_lines()) fmt::print(out, "{}\n", line);
    std::fflush(out);
    return;
  }
  auto status = status_json(snapshot, options);
  if (options.extra_fields) options.extra_fields(status);
  fmt::print(out, "{}\n", status.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  std::fflush(out);
}

void watch_status(const std::filesystem::path& directory, const StatusOptions& options, double seconds, std::FILE* out) {
  const StopSignals signals;
  const auto store = store::CampaignStore::open(directory, /*read_only=*/true);
  const bool terminal = !options.json && ::isatty(::fileno(out));
  const auto period = std::chrono::duration<double>(seconds);
  while (true) {
    const auto snapshot = load_snapshot(store);
    if (terminal) fmt::print(out, "\x1b[H\x1b[2J");  // each refresh in place of the last
    else if (!options.json) fmt::print(out, "\n");
    print_status_once(snapshot, options, out);
    const auto state = campaign_state(snapshot, options);
    if (state != "running" && state != "unknown") return;  // it ended, or nothing writes it any more
    const auto next = std::chrono::steady_clock::now() + period;
    while (std::chrono::steady_clock::now() < next) {
      if (signals.requested()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (signals.requested()) return;
  }
}

}  // namespace rungs::report
