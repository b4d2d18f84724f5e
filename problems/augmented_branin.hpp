#pragma once
// Augmented Branin (Wu, Toscano-Palmerin, Frazier, Wilson, "Practical Multi-fidelity Bayesian
// Optimization for Hyperparameter Tuning", UAI 2019, Section 6; BoTorch's AugmentedBranin):
// the Branin-Hoo function with a fidelity s in [0,1] that shifts the quadratic coefficient,
//
//   f(x1, x2, s) = (x2 - (5.1 / (4 pi^2) - 0.1 (1 - s)) x1^2 + 5 x1 / pi - 6)^2
//                  + 10 (1 - 1 / (8 pi)) cos x1 + 10,       x1 in [-5, 10], x2 in [0, 15].
//
// At s = 1 it is Branin: minimum 0.397887 at (-pi, 12.275), (pi, 2.275) and (9.42478, 2.475).
// Lower s is a biased, equally cheap-to-compute function whose minimizers move (a low-fidelity
// proxy that ranks configurations slightly differently); the bias vanishes as s -> 1, at a
// rate linear in 1 - s.
//
// Parameters x1, x2 (floats); ladder: fidelity_s_ladder() (units 1..81, s = 0 .. 1).
// curve_start = 310, just above Branin's maximum on the domain (308.13 at (-5, 0)).
#include "problems/problem.hpp"

namespace rungs::problems {

inline constexpr double kBraninOptimum = 0.39788735772973816;

double augmented_branin(double x1, double x2, double s);

Problem augmented_branin_problem();

}  // namespace rungs::problems
