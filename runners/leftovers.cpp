#include "runners/leftovers.hpp"

#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "runners/process_tree.hpp"

namespace rungs::runners {

Leftovers end_leftovers(const std::filesystem::path& record, std::chrono::milliseconds grace) {
  Leftovers result;
  std::ifstream in(record);
  if (!in) {
    return result;
  }
  ProcessInfo supervisor;
  std::string boot, token, line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string key;
    fields >> key;
    if (key == "supervisor") {
      fields >> supervisor.pid >> supervisor.start_time;
    } else if (key == "boot") {
      fields >> boot;
    } else if (key == "token") {
      fields >> token;
    } else if (key == "end") {
      result.ended = true;
    }
  }
  if (result.ended) {
    return result;  // the supervisor wrote the end only once every process of the run was gone
  }
  if (!boot.empty() && boot == boot_id() && supervisor.pid > 0) {
    const auto now = read_process(supervisor.pid);
    if (now && now->start_time == supervisor.start_time && now->state != 'Z' &&
        signal_exactly(supervisor, SIGTERM)) {
      result.supervisor_alive = true;
      const auto deadline = std::chrono::steady_clock::now() + grace + std::chrono::seconds(2);
      for (;;) {
        const auto still = read_process(supervisor.pid);
        if (!still || still->start_time != supervisor.start_time || still->state == 'Z' ||
            std::chrono::steady_clock::now() >= deadline) {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  }
  if (!token.empty()) {
    for (const auto& process : processes_with_env("RUNGS_RUN_TOKEN", token)) {
      result.killed += signal_exactly(process, SIGKILL) ? 1 : 0;
    }
  }
  return result;
}

}  // namespace rungs::runners
