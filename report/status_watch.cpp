// `rungs status --watch`: report/commands.hpp.
#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <csignal>
#include <thread>

#include "report/commands.hpp"
#include "report/status_json.hpp"

namespace rungs::report {

namespace {

volatile std::sig_atomic_t stop_requested = 0;

void request_stop(int) { stop_requested = 1; }

// SIGINT and SIGTERM end the watch (the handlers as they were are put back after it).
class StopSignals {
 public:
  StopSignals() {
    stop_requested = 0;
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~StopSignals() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

}  // namespace

void print_status_once(const CampaignSnapshot& snapshot, const StatusOptions& options, std::FILE* out) {
  if (!options.json) {
    print_status(snapshot, out, options);
    return;
  }
  fmt::print(out, "{}\n", status_json(snapshot, options).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
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
      if (stop_requested) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (stop_requested) return;
  }
}

}  // namespace rungs::report
