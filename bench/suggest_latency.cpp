// bench-suggest-latency: how long an optimizer takes to propose the next configuration once it
// has seen many results, and how much memory its history costs.
//
// Space: 8 parameters, mixed and conditional (a typical network-training space):
//   optimizer {sgd, adam, rmsprop}; lr float log [1e-5, 1]; momentum float [0, 0.99] when
//   optimizer = sgd; beta1 float [0.5, 0.999] when optimizer = adam; batch_size int log
//   [16, 512]; layers int [1, 6]; dropout float [0, 0.8]; activation {relu, tanh, gelu, swish}.
// Ladder: budget 1..27, eta 3 (4 levels), dimension epochs.
//
// For each optimizer and history size N, in a forked child process (so each cell's memory is
// its own and a crash cannot take the bench down):
//   1. build the optimizer with campaign::make_optimizer from a CampaignSpec whose
//      optimizer is the named one's default settings (the path `rungs run` and Study take);
//   2. observe N random configurations (space.sample) at the top budget level, with values
//      v = sum over active coordinates of (z_i - 0.3)^2 + 0.05 u, z = encode(config), u ~ U[0,1)
//      (all at one level: the worst case for the size of a per-fidelity model);
//   3. --suggestions times: suggest(top budget) [timed], then observe that configuration with
//      its value [timed], so a model that refits lazily in suggest or eagerly in observe is
//      measured either way; the history grows from N to N + suggestions meanwhile.
// Reported per cell: suggest median and p95, observe median, the time to load the N
// observations, and memory: VmRSS after minus VmRSS before building the optimizer, and the
// peak (VmHWM, reset through /proc/self/clear_refs before building) minus the same start.
// Names the factory does not know yet ("unknown optimizer") are reported as n/a.
//
//   build/bin/bench-suggest-latency [--optimizers random,tpe,gp] [--suggestions 200]
//       [--observations 100,1000,5000] [--gp-observations 100,500,1000] [--seed 1]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "campaign/campaign_spec.hpp"
#include "campaign/factory.hpp"
#include "space/sampling.hpp"

using namespace rungs;
using Clock = std::chrono::steady_clock;

namespace {

space::SearchSpace mixed_space() {
  const auto is = [](const char* choice) { return std::vector<space::Value>{std::string(choice)}; };
  return space::SearchSpace({
      space::categorical("optimizer", {"sgd", "adam", "rmsprop"}),
      space::real("lr", 1e-5, 1, space::Scale::log),
      space::real("momentum", 0, 0.99).when("optimizer", is("sgd")),
      space::real("beta1", 0.5, 0.999).when("optimizer", is("adam")),
      space::integer("batch_size", 16, 512, space::Scale::log),
      space::integer("layers", 1, 6),
      space::real("dropout", 0, 0.8),
      space::categorical("activation", {"relu", "tanh", "gelu", "swish"}),
  });
}

campaign::CampaignSpec spec_for(const std::string& optimizer, std::uint64_t seed) {
  campaign::CampaignSpec spec;
  spec.name = "suggest-latency";
  spec.seed = seed;
  spec.space = mixed_space();
  spec.ladder = fidelity::BudgetLadder(1, 27, 3, {{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 27}}});
  const auto settings = study::optimizer_named(optimizer);
  if (!settings) throw std::invalid_argument(fmt::format("unknown optimizer '{}' (random, tpe, gp)", optimizer));
  spec.optimizer = *settings;
  return spec;
}

double objective(const space::SearchSpace& space, const space::Config& config, std::mt19937_64& rng) {
  const Eigen::VectorXd z = space.encode(config);
  double value = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i)
    if (!std::isnan(z[i])) value += (z[i] - 0.3) * (z[i] - 0.3);
  return value + 0.05 * space::uniform01(rng);
}

// A field of /proc/self/status in kB ("VmRSS", "VmHWM").
double status_kb(const std::string& field) {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(field + ":", 0) == 0) return std::stod(line.substr(field.size() + 1));
  return 0;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double position = q * static_cast<double>(v.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const auto above = std::min(below + 1, v.size() - 1);
  return v[below] + (position - static_cast<double>(below)) * (v[above] - v[below]);
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// One cell, in the current process: returns {"na": reason} or the measurements.
nlohmann::json measure(const std::string& name, std::size_t observations, std::size_t suggestions, std::uint64_t seed) {
  const auto spec = spec_for(name, seed);
  const auto& top = spec.ladder.at(spec.ladder.levels() - 1);
  std::mt19937_64 rng(seed + 1000);
  // Histories are built before the optimizer, so their configs do not count as its memory.
  std::vector<std::pair<space::Config, double>> history;
  history.reserve(observations);
  for (std::size_t i = 0; i < observations; ++i) {
    auto config = spec.space.sample(rng);
    const double value = objective(spec.space, config, rng);
    history.emplace_back(std::move(config), value);
  }
  { std::ofstream("/proc/self/clear_refs") << "5"; }  // reset VmHWM to the current RSS
  const double rss0 = status_kb("VmRSS");

  std::unique_ptr<optimizers::Optimizer> optimizer;
  try {
    optimizer = campaign::make_optimizer(spec);
  } catch (const std::invalid_argument& error) {
    if (std::string(error.what()).find("unknown optimizer") == std::string::npos) throw;
    return {{"na", error.what()}};
  }
  const auto t_load = Clock::now();
  for (const auto& [config, value] : history) optimizer->observe(config, top, value);
  const double load_ms = ms_since(t_load);

  std::vector<double> suggest_ms, observe_ms;
  for (std::size_t i = 0; i < suggestions; ++i) {
    auto t0 = Clock::now();
    const auto config = optimizer->suggest(top);
    suggest_ms.push_back(ms_since(t0));
    const double value = objective(spec.space, config, rng);
    t0 = Clock::now();
    optimizer->observe(config, top, value);
    observe_ms.push_back(ms_since(t0));
  }
  return {{"suggest_median", quantile(suggest_ms, 0.5)}, {"suggest_p95", quantile(suggest_ms, 0.95)},
          {"observe_median", quantile(observe_ms, 0.5)}, {"load_ms", load_ms},
          {"rss_delta_mb", (status_kb("VmRSS") - rss0) / 1024}, {"peak_delta_mb", (status_kb("VmHWM") - rss0) / 1024}};
}

// measure() in a forked child; its JSON comes back through a pipe.
nlohmann::json measure_in_child(const std::string& name, std::size_t observations, std::size_t suggestions,
                                std::uint64_t seed) {
  int fds[2];
  if (::pipe(fds) == -1) throw std::runtime_error("pipe failed");
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == -1) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    std::string out;
    try {
      out = measure(name, observations, suggestions, seed).dump();
    } catch (const std::exception& error) {
      out = nlohmann::json{{"error", error.what()}}.dump();
    }
    for (std::size_t written = 0; written < out.size();) {
      const auto n = ::write(fds[1], out.data() + written, out.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[4096];
  for (;;) {
    const auto n = ::read(fds[0], buffer, sizeof buffer);
    if (n > 0) text.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (text.empty()) return {{"error", fmt::format("child died (status {:#x})", status)}};
  return nlohmann::json::parse(text);
}

std::vector<std::size_t> parse_sizes(const std::string& text) {
  std::vector<std::size_t> sizes;
  std::size_t start = 0;
  while (start < text.size()) {
    auto comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    sizes.push_back(std::stoul(text.substr(start, comma - start)));
    start = comma + 1;
  }
  return sizes;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Suggest latency and memory per optimizer after many observations"};
  std::vector<std::string> optimizer_names = {"random", "tpe", "gp"};
  std::size_t suggestions = 200;
  std::string observations = "100,1000,5000";
  std::string gp_observations = "100,500,1000";
  std::uint64_t seed = 1;
  app.add_option("--optimizers", optimizer_names, "factory names")->delimiter(',');
  app.add_option("--suggestions", suggestions, "timed suggestions per cell")->check(CLI::PositiveNumber);
  app.add_option("--observations", observations, "history sizes (comma-separated)");
  app.add_option("--gp-observations", gp_observations, "history sizes for gp");
  app.add_option("--seed", seed, "seed of the histories and the optimizers");
  CLI11_PARSE(app, argc, argv);

  try {
    fmt::print("Suggest latency on an 8-parameter mixed conditional space (budget 1..27, eta 3); "
               "{} timed suggest+observe rounds after N observations at the top level; one process per cell:\n\n",
               suggestions);
    fmt::print("| optimizer | N | suggest median [ms] | suggest p95 [ms] | observe median [ms] | "
               "load N [ms] | RSS delta [MB] | peak delta [MB] |\n|---|---|---|---|---|---|---|---|\n");
    for (const auto& name : optimizer_names) {
      for (const auto n : parse_sizes(name == "gp" ? gp_observations : observations)) {
        const auto result = measure_in_child(name, n, suggestions, seed);
        if (result.contains("na") || result.contains("error")) {
          const auto note = result.contains("na") ? std::string("n/a")
                                                  : "error: " + result["error"].get<std::string>();
          fmt::print("| {} | {} | {} | | | | | |\n", name, n, note);
          continue;
        }
        fmt::print("| {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.1f} | {:.2f} | {:.2f} |\n", name, n,
                   result["suggest_median"].get<double>(), result["suggest_p95"].get<double>(),
                   result["observe_median"].get<double>(), result["load_ms"].get<double>(),
                   result["rss_delta_mb"].get<double>(), result["peak_delta_mb"].get<double>());
        std::fflush(stdout);
      }
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench-suggest-latency: {}\n", error.what());
    return 2;
  }
}
