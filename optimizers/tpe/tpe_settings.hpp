#pragma once
// The settings of the TPE optimizer (tpe.hpp), with the defaults of BOHB's paper and of its
// reference implementation, HpBandSter (Falkner et al., "BOHB: Robust and Efficient
// Hyperparameter Optimization at Scale", ICML 2018). Plain fields: a campaign file or a C++
// caller sets the ones it cares about; validate() rejects nonsense at construction.
#include <cstddef>
#include <optional>

namespace rungs::optimizers {

struct TpeSettings {
  // N_min: a budget level gets a model once it holds N_min + 2 observations (the paper), and
  // the good and the bad set each get at least N_min points. nullopt means d + 1 for a space
  // of dimension d (the paper's and HpBandSter's choice). Must be at least 1.
  std::optional<std::size_t> min_points_in_model = std::nullopt;

  // The good set is the best max(N_min, floor(top_n_percent / 100 * n)) observations of a
  // level, the bad set the next max(N_min, floor((100 - top_n_percent) / 100 * n)).
  // In (0, 100).
  double top_n_percent = 15;

  // Candidates drawn around good points per model-based suggestion; the best l/g wins. >= 1.
  std::size_t num_samples = 64;

  // Fraction of suggestions drawn from the prior (the search space's own sampling) even when
  // a model exists: keeps BOHB's convergence guarantee of random search. In [0, 1].
  double random_fraction = 1.0 / 3.0;

  // Candidates are drawn with the good KDE's bandwidths times this factor (wider than the
  // KDE, to explore around the good points). > 0.
  double bandwidth_factor = 3;

  // Floor of every bandwidth (continuous coordinates, and the Aitchison-Aitken lambda of
  // categorical ones): a level whose good points coincide would otherwise get a zero
  // bandwidth. In (0, 0.5].
  double min_bandwidth = 1e-3;

  // Lower budget levels keep informing the model after a higher level has one (HpBandSter
  // drops them): their own good/bad densities enter as a prior worth N_min observations of the
  // modelled level, so they matter while that level is sparse and fade as it fills up. See
  // tpe.hpp, "Lower budgets".
  bool use_lower_budgets = true;

  // Measure, as the campaign goes, how each level ranks the configurations it shares with a
  // higher one (Spearman's rho, tpe/level_agreement.hpp), and use it: a lower level weighs in
  // the mixture as much as it agrees with the modelled level, and a level above b* is modelled
  // with fewer points when b* ranks unlike it. See tpe.hpp, "Rank agreement".
  bool rank_agreement = true;
};

// Throws std::invalid_argument naming the first bad field and its value.
void validate(const TpeSettings& settings);

// N_min for a space of `dimension` parameters: the setting, or dimension + 1.
std::size_t min_points_in_model(const TpeSettings& settings, std::size_t dimension);

}  // namespace rungs::optimizers
