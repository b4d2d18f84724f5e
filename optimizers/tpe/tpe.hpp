#pragma once
// TPE per budget level, as in BOHB (Falkner et al., "BOHB: Robust and Efficient
// Hyperparameter Optimization at Scale", ICML 2018; defaults of its reference implementation
// HpBandSter), with three repairs: inactive parameters are a kernel state instead of random
// imputations, lower budgets keep informing the model, and scores are computed in log space.
//
// Per suggestion:
//  1. The model level b*: the largest budget level with enough observations to model,
//     |D_b| >= N_min + 2 with N_min = d + 1 (setting min_points_in_model) and at least one
//     finite value. Whatever budget the suggestion is for: BOHB always proposes from its
//     most faithful model. No such level yet: a random configuration (the prior).
//  2. With probability random_fraction (1/3), a random configuration anyway.
//  3. Otherwise, split D_b* into good and bad by rank (observations.hpp: HpBandSter's
//     n_good = max(N_min, floor(15% n)), n_bad = max(N_min, floor(85% n)), failures last),
//     fit a product-kernel KDE to each (kde.hpp), l(x) on the good and g(x) on the bad points;
//     draw num_samples (64) candidates from l with its bandwidths widened bandwidth_factor (3)
//     times; decode each (conditions re-evaluated, so a perturbed parent (de)activates its
//     children), encode it again, and return the one maximizing
//         log l(x) - log g(x)   (the expected improvement of TPE is increasing in l/g),
//     computed with log-sum-exp over the points: no underflow to 0/0, so no NaN (HpBandSter
//     #100: NaN EI with categoricals). Candidates whose score is NaN are never chosen; if no
//     score is usable, the first candidate is returned.
//
// Lower budgets (use_lower_budgets, default on). HpBandSter models only the largest level with
// enough points: the moment level b gets its (N_min + 2)-th point it throws away the hundreds
// of ranked observations below for a dozen new ones. Here every lower level b that could be
// modelled itself contributes its own good and bad densities l_b, g_b, split by rank within
// level b (ranks, i.e. quantiles, are comparable across budgets; raw values are not), as a
// prior worth N_min observations of the model level:
//     l(x) = (n* l_b*(x) + N_min sum_b lambda_b l_b(x)) / (n* + N_min),   g likewise,
//     lambda_b = n_b u_b / sum_b' n_b' u_b'   (u_b: the level's budget units),
// n* = |D_b*|. This is the usual pseudo-count shrinkage of an estimate towards a prior: the
// lower levels weigh about half when b* has just become modellable (n* = N_min + 2), a tenth
// at n* = 10 N_min, and fade as b* fills up, never with a jump. Among themselves the lower
// levels weigh as the budget spent on their observations (an observation at a third of the
// budget tells about a third as much; Hyperband spends about as much on every level, so they
// share the prior about equally). Without positive units, lambda_b = n_b / sum n_b'.
// Where b*'s own data has an opinion the prior barely moves the score; where it has none (a
// region it never sampled), the lower levels' view replaces an arbitrary Gaussian tail.
// Candidates are drawn from the mixture of good densities with the same weights. Levels above
// b* (too few points to split) are not used.
//
// Rank agreement (rank_agreement, default on). Low budgets can rank configurations unlike the
// full budget (LCBench: Spearman's rho 0.00 between epochs 1 and 52 in the median task), and
// BOHB would fit its model on them as if they were the truth. So rho between levels is measured
// as the campaign goes, on the configurations both levels observed (tpe/level_agreement.hpp:
// shrunk to a weight w in [0, 1], 1 without evidence), and used twice:
//   - a lower level's share of the prior above becomes lambda_b w_b, w_b its agreement with b*;
//   - a level h above b* is modelled once it holds max(5, ceil((N_min + 2) w)) points, w the
//     agreement of b* with h (the largest such h): with full agreement that is BOHB's
//     N_min + 2, with none 5. Its good/bad split then uses N_min' = max(1, (n - 2) / 2).
// In the spirit of MFES-HB (Li et al., AAAI 2021), which weighs each fidelity's model by how
// well it orders the highest fidelity's results.
//
// Past campaigns (observe_past: warm start, campaign/warm_start.hpp). Their task may differ,
// so their observations are kept apart and enter as one more prior component, never as the
// campaign's own data: until a level of its own can be modelled, the past campaigns' largest
// modellable level is the model; from then on, the past level b* (or the past's largest one
// below it), n_p observations, joins the mixture with the weight
//     w_past = n_p N_min / (N_min + n*) x a,
// a its rank agreement with b* (tpe/level_agreement.hpp, on the configurations both observed:
// the past best ones, which a warm start runs first; 1 without such evidence). Just when b*
// becomes modellable (n* = N_min + 2) the past weighs about half its size; its share of the
// mixture then fades as 1/n* as the campaign's own evidence grows, faster when the past ranks
// the new task's results unlike the new task does. The idea of transfer by weighting past
// models by how they rank the new task's data is RGPE's (Feurer et al. 2018, "Practical
// transfer learning for Bayesian optimization"); the pseudo-count is that of the lower levels
// above.
//
// Bandwidth floor. Each continuous coordinate's bandwidth in a level's good (bad) KDE is at
// least 1 / min(100, n_j + 1), n_j the set's active values there (tpe::resolution_floor;
// hyperopt's "magic clip", Bergstra et al. 2011), besides min_bandwidth. Scott's rule assumes
// i.i.d. points, but the good points are TPE's own proposals, drawn around earlier good points
// and picked by the argmax of l/g, i.e. nearest a good centre: each generation's good set
// spreads over about one bandwidth of the last, so h shrinks geometrically to min_bandwidth.
// Measured on Augmented Branin (2-D, 20 seeds): every level's l ended at h = 0.001 in both
// coordinates in most seeds, the search froze on the first good cluster (usually the s = 0
// optimum, regret ~1.2 at s = 1), moving 0.003 per proposal, and BOHB's regret was 0.51 vs
// 0.09 for Hyperband + random search. n points cannot resolve finer than their mean spacing.
//
// Prior. Both l and g hold one pseudo-observation from the prior (the space's own sampling,
// density 1 on the [0,1] encoding, 1/k per active categorical), next to the n points of b*'s
// set: p(x) = (n p_kde(x) + p0(x)) / (n + 1) (Bergstra et al.'s prior component, which
// hyperopt pairs with the floor above). With the floor, a small good set has wider kernels
// than the bad set, so far from all data l/g would grow with the ratio of Gaussian tails,
// an artefact; the prior bounds it there by (n_bad + 1) / (n_good + 1). Candidates are still
// drawn from the good KDEs only (random_fraction samples the prior).
//
// User priors (space/prior.hpp, optimizers/prior_weighting.hpp): random configurations come
// from the prior/uniform mix, and a candidate's score becomes piBO's
//     log l(x) - log g(x) + (beta / n*) log pi(x),
// i.e. the ratio l/g weighted by pi(x)^(beta / n*) (Hvarfner et al., ICLR 2022), n* = |D_b*|.
// The prior's pull fades as b* fills up; log_ratio() below is the unweighted model score.
//
// Constraints (c-TPE: Watanabe & Hutter, "c-TPE: Tree-structured Parzen Estimator with
// Inequality Constraints for Expensive Hyperparameter Optimization", IJCAI 2023). Through
// observe_measured, each observation carries one margin per constraint. At the model level b*
// each constraint k splits the points by feasibility (margin <= 0) into l_k (feasible) and
// g_k (infeasible), gamma_k = the feasible fraction, and the candidate's score becomes the
// log of the paper's acquisition (eq. 7), a product of relative density ratios:
//     a(x) = prod_{k=0..K} 1 / (gamma_k + (1 - gamma_k) g_k(x) / l_k(x)),
// k = 0 the objective's split (gamma_0 = |good| / n*). With the objective alone a(x) is
// increasing in l/g, the same argmax as log l - log g. A constraint with no feasible or no
// infeasible point at b* has no ratio to offer and is left out (its factor is 1).
// Several objectives (MOTPE, Ozaki et al. 2020): the good/bad split ranks a level by
// non-dominated sorting with the hypervolume-contribution tie-break (observations.hpp:
// rank_order); the rest is unchanged.
//
// Determinism: one std::mt19937_64 seeded from the seed (through std::seed_seq, specified by
// the standard), and draws built on the engine's bits rather than on the standard library's
// distributions (whose output differs between libraries): the same seed and the same calls
// give the same suggestions.
//
// Cost: a model-based suggestion costs about num_samples x (points at the levels used) x d
// kernel terms; each level's KDEs are refitted lazily, at the first suggestion after that
// level got new observations. Memory is linear in the number of observations.
//
// Thread safety: none (the Optimizer contract: one thread). The const introspection methods
// may fit models (cached).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "optimizers/optimizer.hpp"
#include "optimizers/tpe/kde.hpp"
#include "optimizers/tpe/observations.hpp"
#include "optimizers/tpe/tpe_settings.hpp"
#include "space/search_space.hpp"

namespace rungs::optimizers {

class Tpe final : public Optimizer {
 public:
  // Copies the space. Throws std::invalid_argument for bad settings (tpe_settings.hpp).
  Tpe(const space::SearchSpace& space, TpeSettings settings, std::uint64_t seed);

  // A configuration to run (at any budget: see step 1 above). Sets exactly the active
  // parameters.
  space::Config suggest(const fidelity::Budget& budget) override;

  // Records `value` (to minimize; NaN and infinities count as worst) for `config` at
  // budget.level. Throws space::SpaceError when `config` does not belong to the space.
  void observe(const space::Config& config, const fidelity::Budget& budget,
               double value) override;
  // Kept apart from the campaign's own observations (see "Past campaigns" above).
  void observe_past(const space::Config& config, const fidelity::Budget& budget, double value) override;
  // The same with constraint margins (c-TPE) and several objectives (MOTPE): see above.
  void observe_measured(const space::Config& config, const fidelity::Budget& budget, double value,
                        const Measures& measures) override;

  const TpeSettings& settings() const { return settings_; }
  // N_min: the setting, or dimension + 1.
  std::size_t min_points_in_model() const { return n_min_; }

  // The level the next model-based suggestion would model (b*), or nullopt while no level has
  // enough observations (suggestions are then random).
  std::optional<std::size_t> model_level() const;

  // The score a candidate gets under the current model: log l(x) - log g(x), with the lower
  // levels mixed in as configured; nullopt without a model. Throws space::SpaceError when
  // `config` does not belong to the space.
  std::optional<double> log_ratio(const space::Config& config) const;

  std::size_t observations() const { return observations_.size(); }
  std::size_t observations(std::size_t level) const;
  std::size_t past_observations() const { return past_.size(); }
  // The weight of the past campaigns' component in the current mixture, relative to b*'s own
  // n* (0 without one; nullopt when the past alone is the model).
  std::optional<double> past_weight() const;

 private:
  struct LevelModel {
    std::size_t fitted = 0;  // observations at the level when fitted; refit when it differs
    tpe::Kde good;
    tpe::Kde bad;
    double gamma = 1;  // the good set's share of the level (c-TPE's gamma_0)
    // Per constraint: feasible / infeasible KDEs and the feasible share (c-TPE); skipped
    // when either set is empty.
    struct ConstraintSplit {
      tpe::Kde feasible, infeasible;
      double gamma = 1;
      bool usable = false;
    };
    std::vector<ConstraintSplit> constraints;
  };
  // One level's densities and their weight in the mixture.
  struct Component {
    double weight;
    const LevelModel* model;
  };

  // The fewest points a level above b* is modelled with (model_level()).
  static constexpr std::size_t kSmallestModel = 5;
  // N_min of a level's good/bad split: BOHB's, or less for a level modelled early.
  std::size_t split_min(const tpe::Level& level) const;
  // The good/bad KDEs of `level` (own, or past campaigns'), fitted now if the level changed since.
  const LevelModel& fitted(std::size_t level) const { return fitted(*observations_.level(level), models_[level]); }
  const LevelModel& fitted(const tpe::Level& data, LevelModel& model) const;
  // The past campaigns' level that joins a model of own level `top` (nullopt: the past's
  // largest modellable level), if any.
  std::optional<std::size_t> past_level(std::optional<std::size_t> top) const;
  // The mixture: b* first, then the lower levels if configured, then the past campaigns';
  // empty without a model.
  std::vector<Component> components() const;
  // The lower levels' prior components (see "Lower budgets" above) of a model of level `top`.
  void add_lower_levels(std::size_t top, std::vector<Component>& out) const;
  // out[c] = log of the mixture of good (or bad) densities at candidate c.
  void mixture_log_density(const std::vector<Component>& components, bool good,
                           const std::vector<double>& candidates, std::size_t count,
                           std::vector<double>& out) const;
  // A KDE on the level's given rows, with the bandwidth floor (tpe.hpp).
  tpe::Kde fit_rows(const tpe::Level& data, const std::vector<std::size_t>& indices) const;
  void fit_constraints(const tpe::Level& data, LevelModel& model) const;
  // c-TPE (constraint_ratio.cpp): adds to score[c] the log factor of every usable
  // constraint, and turns the objective's log l - log g into its relative ratio's log.
  void add_constraint_scores(const LevelModel& model, const std::vector<double>& candidates, std::size_t count,
                             std::vector<double>& score) const;
  // The encoding of a configuration known to be valid (a decoded one): no validation pass.
  void encode_valid(const space::Config& config, double* out) const;

  space::SearchSpace space_;
  TpeSettings settings_;
  std::size_t n_min_;
  std::vector<tpe::Coordinate> coordinates_;
  std::mt19937_64 rng_;
  tpe::Observations observations_;
  tpe::Observations past_;  // observe_past's
  mutable std::map<std::size_t, LevelModel> models_;
  mutable std::map<std::size_t, LevelModel> past_models_;
};

}  // namespace rungs::optimizers
