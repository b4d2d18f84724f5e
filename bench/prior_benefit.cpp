// bench-prior-benefit: the budget it takes to reach a target regret with a good prior, a
// misleading prior and none (issue 14), on the synthetic multi-fidelity problems.
//
// Priors (space/prior.hpp), on every parameter, of one confidence (--sigma, default 0.125 =
// `confidence: high`):
//   good        centred at a known minimizer (Branin: (pi, 2.275); Hartmann-6: its minimizer;
//               Counting Ones: all ones, `center: "1"` on the categoricals);
//   misleading  centred at the corner of the [0,1] encoding farthest from every known minimizer
//               (the largest smallest distance; Branin: (10, 15); Counting Ones: all zeros);
//   none        the space as the problem defines it.
// Methods (--optimizers): rs (random search at the maximum budget), hb+random, hb+tpe (BOHB),
// hb+gp: Hyperband (eta 3, all brackets) through study::Study, run sequentially, as in
// bench-optimizer-quality. The optimizers use priors as optimizers/prior_weighting.hpp says.
//
// Time to target: the budget units spent (a run at level k pays its units; a promoted run pays
// again) until the recommendation, Study::best(), has a noise-free full-fidelity regret
// <= the problem's target (--targets). Runs that never reach it within --cap Hyperband
// iterations count at the cap's budget and are counted as censored (their mean is then a lower
// bound). Reported in max-budget evaluations (units / max units): mean ± standard error over
// seeds 0..--seeds-1, and the ratio of means to "none".
//
//   build/bin/bench-prior-benefit [--seeds 20] [--cap 30] [--sigma 0.125]
//       [--problems branin,hartmann6,counting_ones_8] [--optimizers rs,hb+random,hb+tpe]
//       [--targets branin=0.05,hartmann6=0.2,counting_ones_8=1]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/sample_stats.hpp"
#include "problems/augmented_hartmann6.hpp"
#include "problems/registry.hpp"
#include "space/encoding.hpp"
#include "space/prior.hpp"
#include "study/study.hpp"

using namespace rungs;

namespace {

std::vector<std::string> split(const std::string& text, char separator = ',') {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto at = text.find(separator, start);
    const auto part = text.substr(start, at == std::string::npos ? std::string::npos : at - start);
    if (!part.empty()) parts.push_back(part);
    if (at == std::string::npos) break;
    start = at + 1;
  }
  return parts;
}

// The known minimizers of a problem, on the [0,1] encoding of its space.
std::vector<std::vector<double>> minimizers(const problems::Problem& problem) {
  if (problem.name == "branin") {
    std::vector<std::vector<double>> out;
    for (const auto& [x1, x2] : {std::pair{-std::numbers::pi, 12.275}, std::pair{std::numbers::pi, 2.275},
                                 std::pair{9.42478, 2.475}})
      out.push_back({(x1 + 5) / 15, x2 / 15});
    std::swap(out[0], out[1]);  // the good prior is centred at the first: (pi, 2.275)
    return out;
  }
  if (problem.name == "hartmann6")
    return {std::vector<double>(problems::kHartmann6Minimizer.begin(), problems::kHartmann6Minimizer.end())};
  if (problem.name.rfind("counting_ones", 0) == 0) {
    std::vector<double> ones;
    for (const auto& parameter : problem.space.parameters())
      ones.push_back(std::holds_alternative<space::CategoricalDomain>(parameter.domain) ? 0.75 : 1.0);  // "1"'s slice
    return {ones};
  }
  throw std::invalid_argument(fmt::format("no known minimizer for problem '{}'", problem.name));
}

// The corner of [0,1]^d with the largest distance to the nearest minimizer.
std::vector<double> farthest_corner(const std::vector<std::vector<double>>& targets, std::size_t d) {
  std::vector<double> best;
  double best_distance = -1;
  for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << d); ++mask) {
    std::vector<double> corner(d);
    for (std::size_t j = 0; j < d; ++j) corner[j] = (mask >> j) & 1 ? 1.0 : 0.0;
    double nearest = HUGE_VAL;
    for (const auto& t : targets) {
      double sum = 0;
      for (std::size_t j = 0; j < d; ++j) sum += (corner[j] - t[j]) * (corner[j] - t[j]);
      nearest = std::min(nearest, sum);
    }
    if (nearest > best_distance) best_distance = nearest, best = corner;
  }
  return best;
}

// The problem's space with every parameter's prior centred at `center` (encoded).
space::SearchSpace with_priors(const space::SearchSpace& plain, const std::vector<double>& center, double sigma) {
  std::vector<space::Parameter> parameters = plain.parameters();
  for (std::size_t j = 0; j < parameters.size(); ++j) {
    auto& p = parameters[j];
    const auto value = space::decode_value(p.domain, center[j]);
    if (const auto* choice = std::get_if<std::string>(&value))
      p.prior = space::centered_on(*choice, space::Confidence::high);
    else
      p.prior = space::NumericPrior{std::get<double>(value), sigma};
  }
  return space::SearchSpace(parameters);
}

fidelity::BudgetLadder top_level_ladder(const fidelity::BudgetLadder& ladder) {
  const auto& top = ladder.at(ladder.levels() - 1);
  std::vector<fidelity::Dimension> dimensions = ladder.dimensions();
  for (auto& dimension : dimensions) dimension.mapping = fidelity::Listed{{top.values.at(dimension.name)}};
  return fidelity::BudgetLadder(top.units, top.units, ladder.eta(), std::move(dimensions));
}

struct Cell {
  bench::SampleStats evaluations;  // max-budget evaluations to the target, per seed
  std::size_t censored = 0;
};

Cell measure(const problems::Problem& problem, const space::SearchSpace& space, const std::string& method,
             double target, std::size_t cap, std::size_t seeds) {
  const bool rs = method == "rs";
  const auto optimizer = study::optimizer_named(rs ? "random" : method.substr(3));
  if (!optimizer) throw std::invalid_argument(fmt::format("unknown method '{}' (rs, hb+OPTIMIZER)", method));
  const auto ladder = rs ? top_level_ladder(problem.ladder) : problem.ladder;
  // rs: as many max-budget configurations as `cap` Hyperband iterations pay for (23.5 each on
  // these 5-level ladders): one per one-level bracket.
  const std::size_t iterations = rs ? cap * 24 : cap;
  Cell cell;
  for (std::size_t seed = 0; seed < seeds; ++seed) {
    study::Study study(space, ladder,
                       {.scheduler = {scheduler::HyperbandOptions{.iterations = iterations}}, .optimizer = *optimizer,
                        .seed = seed});
    std::mt19937_64 noise(0x9E3779B97F4A7C15ULL * (seed + 1));
    double units = 0;
    bool reached = false;
    while (auto job = study.ask()) {
      units += job->budget.units;
      study.tell(job->trial, problem.evaluate(job->config, job->budget, noise));
      if (const auto best = study.best(); best && problem.regret(best->config) <= target) {
        reached = true;
        break;
      }
    }
    cell.censored += reached ? 0 : 1;
    cell.evaluations.add(units / problem.ladder.max_units());
  }
  return cell;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Budget to a target regret with a good prior, a misleading prior and none"};
  std::size_t seeds = 20;
  std::size_t cap = 30;
  double sigma = 0.125;
  std::string problem_list = "branin,hartmann6,counting_ones_8";
  std::string method_list = "rs,hb+random,hb+tpe";
  std::string target_list = "branin=0.05,hartmann6=0.2,counting_ones_8=1";
  app.add_option("--seeds", seeds, "seeds 0..N-1 per cell")->check(CLI::PositiveNumber);
  app.add_option("--cap", cap, "give up after this many Hyperband iterations' budget")->check(CLI::PositiveNumber);
  app.add_option("--sigma", sigma, "the priors' standard deviation on the [0,1] encoding (0.125 = confidence high)");
  app.add_option("--problems", problem_list, "comma-separated problem names");
  app.add_option("--optimizers", method_list, "comma-separated methods: rs, hb+random, hb+tpe, hb+gp");
  app.add_option("--targets", target_list, "problem=regret pairs");
  CLI11_PARSE(app, argc, argv);

  try {
    std::map<std::string, double> targets;
    for (const auto& pair : split(target_list)) {
      const auto parts = split(pair, '=');
      if (parts.size() != 2) throw std::invalid_argument(fmt::format("bad target '{}': write problem=regret", pair));
      targets[parts[0]] = std::stod(parts[1]);
    }
    const auto methods = split(method_list);
    fmt::print("Max-budget evaluations until the recommendation's regret <= target: mean ± standard error over {} "
               "seeds (0..{}); priors of sigma {} on every parameter; cap {} Hyperband iterations (censored runs "
               "count at the cap).\n\n",
               seeds, seeds - 1, sigma, cap);
    fmt::print("| problem | target | method | no prior | good prior | misleading prior | good / none | misleading / none |\n");
    fmt::print("|---|---|---|---|---|---|---|---|\n");
    for (const auto& name : split(problem_list)) {
      const auto& problem = problems::by_name(name);
      if (!targets.count(name)) throw std::invalid_argument(fmt::format("no target for '{}' (--targets)", name));
      const double target = targets.at(name);
      const auto known = minimizers(problem);
      const auto good = with_priors(problem.space, known.front(), sigma);
      const auto misleading = with_priors(problem.space, farthest_corner(known, problem.space.dimension()), sigma);
      for (const auto& method : methods) {
        const Cell none_cell = measure(problem, problem.space, method, target, cap, seeds);
        const Cell good_cell = measure(problem, good, method, target, cap, seeds);
        const Cell bad_cell = measure(problem, misleading, method, target, cap, seeds);
        const auto show = [](const Cell& c) {
          return fmt::format("{:.1f} ± {:.1f}{}", c.evaluations.mean(), c.evaluations.se(),
                             c.censored ? fmt::format(" ({} capped)", c.censored) : "");
        };
        fmt::print("| {} | {:g} | {} | {} | {} | {} | {:.2f} | {:.2f} |\n", name, target, method, show(none_cell),
                   show(good_cell), show(bad_cell), good_cell.evaluations.mean() / none_cell.evaluations.mean(),
                   bad_cell.evaluations.mean() / none_cell.evaluations.mean());
        std::fflush(stdout);
      }
    }
    return 0;
  } catch (const std::exception& error) {
    fmt::print(stderr, "bench-prior-benefit: {}\n", error.what());
    return 2;
  }
}
