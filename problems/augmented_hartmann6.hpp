#pragma once
// Augmented Hartmann-6 (Wu et al., UAI 2019; BoTorch's AugmentedHartmann): the Hartmann
// function on [0,1]^6 with a fidelity s in [0,1] that weakens the first of its four bumps,
//
//   f(x, s) = - sum_{i=1..4} alpha_i(s) exp( - sum_{j=1..6} A_ij (x_j - P_ij)^2 ),
//   alpha(s) = (1 - 0.1 (1 - s), 1.2, 3.0, 3.2),
//
// with the standard A and P (Dixon & Szego 1978; e.g. Surjanovic & Bingham's library):
//
//   A = [[10,   3,   17,   3.5, 1.7,  8],     P = 1e-4 [[1312, 1696, 5569,  124, 8283, 5886],
//        [0.05, 10,  17,   0.1, 8,   14],               [2329, 4135, 8307, 3736, 1004, 9991],
//        [3,    3.5, 1.7,  10,  17,   8],               [2348, 1451, 3522, 2883, 3047, 6650],
//        [17,   8,   0.05, 10,  0.1, 14]]               [4047, 8828, 8732, 5743, 1091,  381]]
//
// At s = 1 it is Hartmann-6: minimum -3.32237 at
// x* = (0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573). Lower s is biased by at most
// 0.1 (1 - s) (the first bump's weight), uniformly bounded and vanishing as s -> 1.
//
// Parameters x0..x5 (floats in [0,1]); ladder: fidelity_s_ladder() (units 1..81, s = 0 .. 1).
// curve_start = 0: every value is negative (the bumps are positive), so 0 is "untrained".
#include <array>

#include "problems/problem.hpp"

namespace rungs::problems {

inline constexpr double kHartmann6Optimum = -3.32236801141551;
inline constexpr std::array<double, 6> kHartmann6Minimizer = {0.20168952, 0.15001069, 0.47687398,
                                                              0.27533243, 0.31165162, 0.65730054};

double augmented_hartmann6(const std::array<double, 6>& x, double s);

Problem augmented_hartmann6_problem();

}  // namespace rungs::problems
