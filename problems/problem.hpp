#pragma once
// A synthetic multi-fidelity problem with a known optimum: a search space, a budget ladder
// saying what each level means for the problem's fidelity (the number of Bernoulli draws of
// Counting Ones, the fidelity s in [0,1] of the augmented Branin and Hartmann-6 functions),
// and the objective at any fidelity. Benchmarks measure regret against `optimum`; tests pin
// the known minimizers; `synthetic-trial` runs them as real trial processes.
//
// Three views of one problem, all to be minimized:
//  - evaluate(config, budget, rng): the objective at a ladder budget, as an optimizer sees it
//    (biased at low fidelity for Branin/Hartmann-6, noisier at low budget for Counting Ones);
//  - true_value(config): the noise-free objective at full fidelity, what regret is measured
//    on (Counting Ones: the expectation, -(sum x_cat + sum x_cont));
//  - at_epoch(config, epoch, max_epochs): a learning curve converging to true_value at
//    epoch = max_epochs with a configuration-dependent speed (learning_curve.hpp), for
//    stopping rules that read intermediate reports.
//
// A Problem is an immutable value: its const methods may be called from several threads,
// each with its own random engine.
#include <functional>
#include <random>
#include <string>

#include "fidelity/budget.hpp"
#include "fidelity/ladder.hpp"
#include "space/config.hpp"
#include "space/search_space.hpp"

namespace rungs::problems {

// The objective at one fidelity value (a number of draws, or s); `rng` supplies the noise of
// stochastic problems and is left untouched by deterministic ones. The config is valid.
using Objective = std::function<double(const space::Config& config, double fidelity, std::mt19937_64& rng)>;
// The noise-free objective at full fidelity. The config is valid.
using NoiseFree = std::function<double(const space::Config& config)>;

struct Problem {
  std::string name;                  // registry key: "counting_ones_8", "branin", ...
  std::string description;           // one line, with the paper
  space::SearchSpace space;
  fidelity::BudgetLadder ladder;     // levels, cost in units, and the fidelity dimension
  std::string fidelity_dimension;    // the ladder dimension evaluate() reads: "draws", "s"
  double optimum = 0;                // min over the space of true_value
  double curve_start = 0;            // at_epoch(config, 0, E) for every config: "untrained"
  Objective objective;
  NoiseFree noise_free;

  // The objective at budget.values[fidelity_dimension]. Throws std::invalid_argument when the
  // budget lacks that dimension, space::SpaceError for an invalid config.
  double evaluate(const space::Config& config, const fidelity::Budget& budget,
                  std::mt19937_64& rng) const;
  // The objective at an explicit fidelity value (draws, or s in [0,1]).
  double evaluate_at(const space::Config& config, double fidelity, std::mt19937_64& rng) const;
  // The fidelity value at the ladder's top level (729 draws, s = 1).
  double full_fidelity() const;
  // Noise-free value at full fidelity, and its distance to the optimum (>= 0 up to rounding).
  double true_value(const space::Config& config) const;
  double regret(const space::Config& config) const { return true_value(config) - optimum; }

  // The learning curve at `epoch` of `max_epochs` (epoch is clamped to [0, max_epochs]):
  // curve_start at epoch 0, exactly true_value(config) at max_epochs; see learning_curve.hpp.
  // Throws std::invalid_argument unless max_epochs > 0.
  double at_epoch(const space::Config& config, double epoch, double max_epochs) const;
};

// The ladder of the problems with a fidelity s in [0,1] (augmented Branin, Hartmann-6):
// budget units 1, 3, 9, 27, 81 (eta 3; the cost of a run) and dimension "s" evenly spaced
// over the levels, s = level / s_max = 0, 0.25, 0.5, 0.75, 1 (fixed growth). The smallest
// level is the most biased function, s = 0, as in Wu et al.'s fidelity range.
fidelity::BudgetLadder fidelity_s_ladder();

// Throws std::invalid_argument unless 0 <= s <= 1 (names the problem).
void check_fidelity_s(const char* problem, double s);

}  // namespace rungs::problems
