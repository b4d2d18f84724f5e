#pragma once
// The Hyperband schedule as pure functions: how many configurations each bracket starts and
// how many survive each stage. No state, no optimizer, no ladder: levels only.
//
// Hyperband (Li, Jamieson, DeSalvo, Rostamizadeh, Talwalkar, "Hyperband: A Novel Bandit-Based
// Approach to Hyperparameter Optimization", JMLR 18(185), 2018), Algorithm 1, followed exactly:
//
//   R = max / min budget, s_max = floor(log_eta R), B = (s_max + 1) R
//   bracket s = s_max .. 0:
//     n = ceil( B/R * eta^s / (s+1) ) = ceil( (s_max+1)/(s+1) * eta^s )
//     r = R eta^-s                     -> ladder level  s_max - s
//     stage i = 0 .. s:
//       n_i = floor( n eta^-i ) configurations at r_i = r eta^i  -> level s_max - s + i
//       the top floor(n_i / eta) advance to stage i+1
//
// For an integer eta, floor(floor(n eta^-i) / eta) = floor(n eta^-(i+1)): the survivors of
// stage i are exactly n_{i+1}. For a non-integer eta the two may differ by one; we advance
// n_{i+1} (the schedule, as HpBandSter does), so the stage sizes below are always what runs.
//
// Variants differ (HpBandSter floors (s_max+1)/(s+1) before multiplying; Ray Tune rounds
// s_max); we follow the paper. With integer eta all arithmetic is exact integer arithmetic, so
// ceil/floor of exact integers never slip (5/3 * 9 is 15, not 15.000000000000002 -> 16).
// Pinned (tests/scheduler/test_hyperband_schedule.cpp), R = 81, eta = 3, s_max = 4:
//   s=4: 81 27 9 3 1 | s=3: 34 11 3 1 | s=2: 15 5 1 | s=1: 8 2 | s=0: 5
//
// Cost-aware sizing (hyperband_brackets with level costs). The paper's n assumes that a run at
// level k costs r_k = R eta^(k - s_max), so that every bracket spends about B = (s_max+1) R.
// When the levels cost c_k instead (fidelity::BudgetLadder::level_costs(): epochs x data
// fraction x resolution^2, a user formula, ...), we keep that rule, every bracket spends
// about the budget of s_max + 1 full runs, and price each stage at its full level cost as
// the paper does (no discount for runs that resume from a checkpoint):
//
//   B   = (s_max + 1) c_{s_max}
//   C_s = sum_{i=0..s} eta^-i c_{s_max - s + i}       (bracket s costs about n C_s)
//   n_s = max( ceil(B / C_s), ceil(eta^s) )           (at least one run at the top stage)
//
// With c_k = R eta^(k - s_max), C_s = (s+1) R eta^-s and n_s is the paper's n exactly (then the
// exact integer path above is used). Stages still run n_i = floor(n_s eta^-i). Pinned, R = 27,
// eta = 3, level costs 0.25, 1.5, 9, 27 (epochs 1..27 x data fraction 0.25, 0.5, 1, 1):
//   s=3: 40 13 4 1 | s=2: 15 5 1 | s=1: 6 2 | s=0: 4      (the paper: 27 9 3 1 | 12 4 1 | 6 2 | 4)
#include <cstddef>
#include <vector>

namespace rungs::scheduler {

// One stage (rung) of a bracket: `configs` runs at ladder `level`.
struct Stage {
  std::size_t level = 0;
  std::size_t configs = 0;
  friend bool operator==(const Stage&, const Stage&) = default;
};

// One successive-halving bracket: stage 0 starts new configurations, each later stage runs
// the survivors of the previous one at the next level.
struct BracketPlan {
  std::size_t s = 0;  // Hyperband's bracket index: s+1 stages, first level s_max - s
  std::vector<Stage> stages;

  std::size_t runs() const;              // sum of configs over stages
  std::size_t first_level() const { return stages.front().level; }
  std::size_t last_level() const { return stages.back().level; }
  // The configurations per stage, e.g. {81, 27, 9, 3, 1}.
  std::vector<std::size_t> configs() const;
  friend bool operator==(const BracketPlan&, const BracketPlan&) = default;
};

// Successive halving with a given start (Jamieson & Talwalkar 2016): `n0` configurations at
// `first_level`, `stages` stages, n_i = floor(n0 eta^-i) at first_level + i.
// Throws std::invalid_argument for eta <= 1, stages == 0, or an n0 so small that a stage
// would run no configuration (n0 < eta^(stages-1)); the message names the values.
BracketPlan successive_halving_plan(std::size_t n0, std::size_t first_level, std::size_t stages,
                                    double eta);

// n = ceil((s_max+1)/(s+1) * eta^s): the configurations Hyperband's bracket s starts.
std::size_t hyperband_initial_configs(std::size_t s, std::size_t s_max, double eta);

// Hyperband's bracket s (stages at levels s_max - s .. s_max). Throws std::invalid_argument
// for s > s_max or eta <= 1.
BracketPlan hyperband_bracket(std::size_t s, std::size_t s_max, double eta);

// All brackets of one Hyperband iteration, most aggressive first: s = s_max, s_max-1, .., 0.
std::vector<BracketPlan> hyperband_brackets(std::size_t s_max, double eta);

// Cost-aware n_s (above) for level costs c_0..c_{s_max} (level_costs.size() == s_max + 1,
// finite, >= 0, c_{s_max} > 0). Throws std::invalid_argument otherwise, or for s > s_max.
std::size_t hyperband_initial_configs(std::size_t s, double eta, const std::vector<double>& level_costs);
BracketPlan hyperband_bracket(std::size_t s, double eta, const std::vector<double>& level_costs);
// All brackets, cost-aware; s_max = level_costs.size() - 1.
std::vector<BracketPlan> hyperband_brackets(double eta, const std::vector<double>& level_costs);

}  // namespace rungs::scheduler
