#pragma once
// What the simulator benchmarks share: where scratch results go and the campaign they run
// (a small mixed space with a conditional branch, epochs as the budget; the trial command is
// never run by the simulator).
#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

namespace rungs::bench {

inline constexpr const char* kEpochLadder =
    "{min: 1, max: 81, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 81}}}";

// Results in memory when /dev/shm is writable: a simulation writes a directory per trial.
inline std::filesystem::path scratch_base() {
  std::error_code ec;
  const std::filesystem::path shm = "/dev/shm";
  return std::filesystem::is_directory(shm, ec) && access(shm.c_str(), W_OK) == 0
             ? shm
             : std::filesystem::temp_directory_path();
}

// `budget`, `scheduler` and `optimizer` are YAML flow values.
inline std::string simulated_campaign_yaml(const std::string& name, const std::string& budget,
                                           const std::string& scheduler, const std::string& optimizer,
                                           std::uint64_t seed) {
  return fmt::format(R"(name: {}
seed: {}
metric: {{name: loss, mode: min}}
space:
  optimizer: {{type: categorical, choices: [sgd, adam]}}
  lr:        {{type: float, low: 1.0e-4, high: 1.0, log: true}}
  momentum:  {{type: float, low: 0.0, high: 0.95, when: {{optimizer: sgd}}}}
  beta1:     {{type: float, low: 0.5, high: 0.99, when: {{optimizer: adam}}}}
  hidden:    {{type: int, low: 8, high: 512, log: true}}
budget: {}
scheduler: {}
optimizer: {}
trial:
  command: [no-such-trainer, --lr, "{{lr}}"]
)",
                     name, seed, budget, scheduler, optimizer);
}

}  // namespace rungs::bench
