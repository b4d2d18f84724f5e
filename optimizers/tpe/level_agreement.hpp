#pragma once
// How far a lower budget level ranks configurations as a higher one does, measured on the
// configurations observed at both (a promoted trial, or a configuration suggested twice).
//
// Why: BOHB fits its model on the largest level with enough points as if that level's ranking
// were the full budget's. On realistic curves it is often not: on LCBench the Spearman rank
// correlation between epoch 2 and epoch 52 is 0.65 in the median task and 0.22 in the worst,
// between epoch 1 and 52 it is 0.00 (design notes). MFES-HB (Li et al., AAAI 2021) and
// Hyper-Tune (Li et al., VLDB 2022) weigh each fidelity's model by how well it orders the
// high-fidelity results; here the same idea with the rank correlation the issue asks for,
// measured as the campaign goes.
//
// Spearman's rho (Spearman 1904): the Pearson correlation of the two levels' ranks, ties
// (failures are +inf, all tied last) given their average rank. With m common configurations
// it is shrunk towards full agreement, since a handful of pairs says little:
//     weight = (m max(0, rho) + m0) / (m + m0),   m0 = kAgreementPrior,
// so no evidence keeps BOHB's behaviour (weight 1), and a level that ranks no better than
// chance (rho <= 0) on many configurations weighs nothing.
#include <cstddef>

#include "optimizers/tpe/observations.hpp"

namespace rungs::optimizers::tpe {

// Pseudo-count of the shrinkage above: the evidence of five common configurations counts as
// much as the prior belief that the levels agree.
inline constexpr double kAgreementPrior = 5;

struct Agreement {
  std::size_t common = 0;  // configurations observed at both levels
  double rho = 1;          // Spearman's rank correlation over them; 1 with fewer than 3
  double weight = 1;       // the shrunk weight above, in [0, 1]
};

// The agreement of `lower` with `upper` (points of `dimension` coordinates, matched exactly:
// a configuration encodes to the same point at every level).
Agreement agreement(const Level& lower, const Level& upper, std::size_t dimension);

}  // namespace rungs::optimizers::tpe
