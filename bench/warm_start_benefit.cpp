// bench-warm-start-benefit: how much of an old campaign's budget a campaign on a related task
// needs, warm-started from the old one, to reach the old campaign's final regret (issue 14).
//
// The family: a synthetic multi-fidelity problem (problems/) as the old task A, and the same
// problem with its inputs shifted by --shift on the [0,1] encoding of every numeric
// parameter as the new task B: f_B(x) = f_A(clip(x - shift)), so B's optimum is A's moved by
// `shift` in each coordinate (inside the space for Branin's (pi, 2.275) and Hartmann-6's
// minimizer at shift 0.1) and B's optimum value is A's.
//
// Per seed: the old campaign, Hyperband (eta 3, all brackets) + TPE through study::Study for
// --old-iterations iterations on A, sequential; every told result is kept. Its final regret
// r_A (of Study::best(), noise-free, full fidelity, on A) is the target and its spent budget
// U_A the unit. Then campaigns on B, same scheduler and optimizer, other seed, until the
// recommendation's regret on B is <= r_A, or --cap x U_A (censored: counted at the cap):
//   cold          nothing from A;
//   observations  A's results as StudyOptions::warm_start (campaign/warm_start.hpp's
//                 compatible mode: every result at its level, full weight);
//   best          A's 3 best configurations (highest level, then value) tried first
//                 (StudyOptions::start_with: the mode for changed spaces);
//   obs+narrow    observations, in the bounding box of A's 3 best (campaign::bounding_box,
//                 margin 0.1; observations outside it dropped).
// Reported: the budget to the target as a fraction of U_A, mean ± standard error over seeds
// 0..--seeds-1, with how many were capped.
//
//   build/bin/bench-warm-start-benefit [--seeds 20] [--old-iterations 4] [--cap 3] [--shift 0.1]
//       [--problems branin,hartmann6]
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/sample_stats.hpp"
#include "campaign/warm_start.hpp"
#include "problems/registry.hpp"
#include "space/encoding.hpp"
#include "study/study.hpp"

using namespace rungs;

namespace {

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto at = text.find(',', start);
    const auto part = text.substr(start, at == std::string::npos ? std::string::npos : at - start);
    if (!part.empty()) parts.push_back(part);
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
}

// Task B: A's numeric inputs shifted by `shift` on their encoding.
problems::Problem shifted(const problems::Problem& a, double shift) {
  problems::Problem b = a;
  b.name = a.name + "-shifted";
  const auto move = [space = a.space, shift](const space::Config& config) {
    space::Config out = config;
    for (const auto& p : space.parameters()) {
      if (std::holds_alternative<space::CategoricalDomain>(p.domain)) continue;
      const auto found = out.find(p.name);
      if (found == out.end()) continue;
      found->second = space::decode_value(p.domain, std::clamp(space::encode_value(p.domain, found->second) - shift, 0.0, 1.0));
    }
    return out;
  };
  b.objective = [objective = a.objective, move](const space::Config& c, double f, std::mt19937_64& rng) {
    return objective(move(c), f, rng);
  };
  b.noise_free = [noise_free = a.noise_free, move](const space::Config& c) { return noise_free(move(c)); };
  return b;
}

struct Old {
  std::vector<study::PastObservation> observations;
  std::vector<space::Config> best;  // 3 best: highest level, then value
  double regret = 0;
  double units = 0;
};

Old old_campaign(const problems::Problem& a, std::size_t iterations, std::uint64_t seed) {
  study::Study study(a.space, a.ladder,
                     {.scheduler = {scheduler::HyperbandOptions{.iterations = iterations}},
                      .optimizer = optimizers::TpeSettings{}, .seed = seed});
  std::mt19937_64 noise(0x9E3779B97F4A7C15ULL * (seed + 1));
  Old old;
  while (auto job = study.ask()) {
    old.units += job->budget.units;
    const double value = a.evaluate(job->config, job->budget, noise);
    old.observations.push_back({job->config, job->budget.level, value});
    study.tell(job->trial, value);
  }
  old.regret = a.regret(study.best()->config);
  auto ranked = old.observations;
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) {
    return x.level != y.level ? x.level > y.level : x.value < y.value;
  });
  for (const auto& o : ranked)
    if (old.best.size() < 3 && std::find(old.best.begin(), old.best.end(), o.config) == old.best.end())
      old.best.push_back(o.config);
  return old;
}

// Budget (units) until B's recommendation reaches `target`, or `cap` units (then censored).
double to_target(const problems::Problem& b, const space::SearchSpace& space, study::StudyOptions options,
                 double target, double cap, bool& censored) {
  const auto seed = options.seed;
  study::Study study(space, b.ladder, std::move(options));
  std::mt19937_64 noise(0xD1B54A32D192ED03ULL * (seed + 1));
  double units = 0;
  censored = true;
  while (units < cap) {
    auto job = study.ask();
    if (!job) break;
    units += job->budget.units;
    study.tell(job->trial, b.evaluate(job->config, job->budget, noise));
    if (const auto best = study.best(); best && b.regret(best->config) <= target) {
      censored = false;
      break;
    }
  }
  return std::min(units, cap);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Budget fraction a warm-started campaign on a related task needs to reach the old campaign's regret"};
  std::size_t seeds = 20, old_iterations = 4;
  double cap = 3, shift = 0.1;
  std::string problem_list = "branin,hartmann6";
  app.add_option("--seeds", seeds, "seeds 0..N-1")->check(CLI::PositiveNumber);
  app.add_option("--old-iterations", old_iterations, "Hyperband iterations of the old campaign")->check(CLI::PositiveNumber);
  app.add_option("--cap", cap, "give up at this multiple of the old campaign's budget")->check(CLI::PositiveNumber);
  app.add_option("--shift", shift, "task B's shift on the [0,1] encoding of every numeric parameter");
  app.add_option("--problems", problem_list, "comma-separated problem names");
  CLI11_PARSE(app, argc, argv);
  try {
    fmt::print("Budget to reach the old campaign's final regret on the shifted task, as a fraction of the old "
               "campaign's budget: mean ± standard error over {} seeds; old campaign Hyperband + TPE, {} "
               "iterations; shift {}; cap {}x (capped runs count at the cap).\n\n",
               seeds, old_iterations, shift, cap);
    fmt::print("| problem | old regret | cold | observations | best | obs+narrow |\n|---|---|---|---|---|---|\n");
    const std::vector<std::string> methods = {"cold", "observations", "best", "obs+narrow"};
    for (const auto& name : split(problem_list)) {
      const auto& a = problems::by_name(name);
      const auto b = shifted(a, shift);
      std::map<std::string, bench::SampleStats> fraction;
      std::map<std::string, std::size_t> capped;
      bench::SampleStats old_regret;
      for (std::size_t seed = 0; seed < seeds; ++seed) {
        const auto old = old_campaign(a, old_iterations, seed);
        old_regret.add(old.regret);
        for (const auto& method : methods) {
          study::StudyOptions options{.scheduler = {scheduler::HyperbandOptions{.iterations = 1000}},
                                      .optimizer = optimizers::TpeSettings{}, .seed = seed + 1000};
          space::SearchSpace space = b.space;
          if (method == "observations" || method == "obs+narrow") options.warm_start = old.observations;
          if (method == "best") options.start_with = old.best;
          if (method == "obs+narrow") {
            space = campaign::apply_narrowing(b.space, campaign::bounding_box(b.space, old.best, 0.1));
            std::erase_if(options.warm_start, [&](const study::PastObservation& o) {
              try {
                space.validate(o.config);
                return false;
              } catch (const std::exception&) {
                return true;
              }
            });
          }
          bool censored = false;
          const double units = to_target(b, space, std::move(options), old.regret, cap * old.units, censored);
          fraction[method].add(units / old.units);
          capped[method] += censored ? 1 : 0;
        }
      }
      const auto show = [&](const std::string& m) {
        return fmt::format("{:.2f} ± {:.2f}{}", fraction[m].mean(), fraction[m].se(),
                           capped[m] ? fmt::format(" ({} capped)", capped[m]) : "");
      };
      fmt::print("| {} | {:.3f} ± {:.3f} | {} | {} | {} | {} |\n", name, old_regret.mean(), old_regret.se(), show("cold"),
                 show("observations"), show("best"), show("obs+narrow"));
      std::fflush(stdout);
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench-warm-start-benefit: {}\n", error.what());
    return 2;
  }
}
