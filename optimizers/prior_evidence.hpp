#pragma once
// How much random search still draws from the user's priors, from how the prior's draws fare
// (prior_weighting.hpp, rule 1: an even prior/uniform split to begin with).
//
// Random search has no model whose acquisition piBO could weight, so a misleading prior would
// keep half of its draws for ever. Here the split follows the evidence, in the spirit of
// PriorBand (Mallik et al., NeurIPS 2023), which sets its prior/incumbent/uniform mix from how
// the prior's samples rank at the highest rungs. At the highest budget level with at least
// kMinEvidence results of known source, of n results, f the share drawn from the prior, the
// top quarter t = max(1, floor(n / 4)) holds t_p of the prior's draws where f t are expected if
// the prior knew nothing. The prior's share of the next draws is then
//     share = kPriorShare * min(1, (t_p + 1) / (f t + 1)):
// a prior whose draws reach the top as often as uniform ones (or more) keeps its even split;
// one whose draws never reach it fades as the top fills with uniform draws (at n = 40 with
// f = 1/2: 0.5 / 6), so a misleading prior soon costs little more than random search.
// Deterministic: the same draws and results in the same order give the same shares (a resumed
// campaign replays both).
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace rungs::optimizers {

inline constexpr std::size_t kMinEvidence = 6;

class PriorEvidence {
 public:
  // A configuration (its encoding) was drawn from the prior, or uniformly.
  void drawn(const Eigen::VectorXd& encoded, bool from_prior);
  // Its result at `level` (to minimize; non-finite counts as worst). Results of configurations
  // not drawn here (queued ones, past campaigns') say nothing about the prior: ignored.
  void observed(const Eigen::VectorXd& encoded, std::size_t level, double value);
  // The prior's share of the next draw, in (0, kPriorShare].
  double share() const;

 private:
  struct Result {
    double value;
    bool from_prior;
  };
  std::map<std::string, bool> source_;                    // encoding bytes -> drawn from the prior
  std::map<std::size_t, std::vector<Result>> results_;    // per level
};

}  // namespace rungs::optimizers
