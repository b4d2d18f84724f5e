#pragma once
// Gaussian-process Bayesian optimization, one model per budget level, BOHB-style
// (Falkner, Klein & Hutter, "BOHB: Robust and Efficient Hyperparameter Optimization at
// Scale", ICML 2018), with a GP in place of TPE (Snoek, Larochelle & Adams, NeurIPS 2012):
//
//  - Observations are kept per budget level. A suggestion models the LARGEST level with at
//    least min_points observations (the most faithful data there is enough of), whatever the
//    budget asked for; until some level qualifies, and with probability random_fraction
//    always, it is a random draw from the space.
//  - Model: Matern 5/2 ARD GP (matern52.hpp, gp_model.hpp) on standardized targets, failures
//    as the worst value (training_set.hpp), features with one-hot categoricals and an arc
//    embedding for conditional parameters (gp_encoding.hpp). Hyperparameters by maximum
//    marginal likelihood with a weak prior (gp_fit.hpp), refitted every refit_every
//    observations at the level.
//  - Next point: argmax of log EI (or -LCB) over random candidates plus local search
//    (acquisition.hpp, acquisition_search.hpp); every candidate is decoded by the space, so
//    suggestions set exactly the active parameters.
//  - Pending points: a configuration suggested but not yet observed at any level is added to
//    the model with its predicted mean as target ("kriging believer", Ginsbourger, Le Riche &
//    Carraro 2010). Its variance collapses, so EI there drops and concurrent suggestions
//    (a Hyperband bracket handing out several starts) spread out instead of repeating the
//    same argmax. Only the 64 most recent pending configurations count.
//
//  - Constraints (observe_measured with margins): EI weighted by the probability of
//    feasibility of a GP per constraint (gp/feasibility.hpp; Gardner et al., ICML 2014).
//  - User priors (space/prior.hpp, optimizers/prior_weighting.hpp): random draws come from
//    the prior/uniform mix, half the acquisition search's random candidates from the prior,
//    and the score is piBO's log EI(x) + (beta / n) log pi(x) (Hvarfner et al., ICLR 2022),
//    n the modelled level's observations, so the prior's pull fades as evidence grows.
//
// Cost per suggestion: O(max_points^3) for two Cholesky factorizations plus
// O(max_points^2) per scored candidate; a refit adds O(fit_points^3) per L-BFGS step.
//
// Deterministic: the same seed and the same sequence of calls give the same suggestions.
// Not thread-safe (the scheduler calls it from one thread).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <vector>

#include "optimizers/gp/gp_encoding.hpp"
#include "optimizers/gp/gp_model.hpp"
#include "optimizers/gp/gp_settings.hpp"
#include "optimizers/optimizer.hpp"
#include "space/search_space.hpp"

namespace rungs::optimizers {

// What the last suggestion did: for logs, benchmarks and tests.
struct GpDiagnostics {
  bool from_model = false;      // false: a random draw
  std::size_t level = 0;        // the modeled level (when from_model)
  std::size_t training_points = 0;
  std::size_t pending_points = 0;
  bool refitted = false;        // hyperparameters were refitted for this suggestion
  double log_marginal_likelihood = 0;  // of the fitted hyperparameters, on the training set
  double score = 0;             // acquisition score of the suggestion
};

class GpOptimizer final : public Optimizer {
 public:
  // Copies the space. Throws std::invalid_argument for bad settings (gp_settings.hpp).
  GpOptimizer(const space::SearchSpace& space, GpSettings settings, std::uint64_t seed);

  space::Config suggest(const fidelity::Budget& budget) override;
  // Records `value` for `config` at budget.level. NaN and +inf (failures) count as worst.
  // Throws space::SpaceError when `config` does not fit the space (space.encode validates).
  void observe(const space::Config& config, const fidelity::Budget& budget, double value) override;
  void observe_measured(const space::Config& config, const fidelity::Budget& budget, double value,
                        const Measures& measures) override;

  // The level the next model-based suggestion models, or nullopt (random until then).
  std::optional<std::size_t> model_level() const;
  std::size_t observations(std::size_t level) const;
  // The hyperparameters last fitted at `level`, if any.
  std::optional<gp::Hyperparameters> hyperparameters(std::size_t level) const;
  const GpDiagnostics& last() const { return last_; }
  const GpSettings& settings() const { return settings_; }
  std::size_t min_points() const { return min_points_; }

 private:
  struct Observation {
    Eigen::VectorXd encoded;
    Eigen::VectorXd features;
    double value;
    std::vector<double> margins;  // constraint margins (empty without constraints)
  };
  struct Level {
    std::vector<Observation> data;
    std::optional<gp::Hyperparameters> hyperparameters;
    std::size_t fitted_at = 0;  // data.size() at the last fit
  };
  struct Pending {
    space::Config config;
    Eigen::VectorXd features;
  };

  space::Config model_suggestion(std::size_t level);
  gp::Hyperparameters start_hyperparameters(std::size_t level) const;
  void add_pending(const space::Config& config);

  space::SearchSpace space_;
  GpSettings settings_;
  gp::FeatureMap features_;
  std::size_t min_points_;
  std::mt19937_64 rng_;
  std::map<std::size_t, Level> levels_;
  std::deque<Pending> pending_;
  GpDiagnostics last_;
};

}  // namespace rungs::optimizers
