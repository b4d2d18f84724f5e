#pragma once
// Synthetic learning curves: a value per epoch that starts at a common "untrained" value and
// converges to a configuration's final value, fast for some configurations and slowly for
// others, so that curves cross and an early ranking is not the final one. This is what makes
// early-stopping rules (median stopping, learning-curve extrapolation, ASHA's rungs) face a
// real trade-off on the synthetic problems, as on real training runs.
//
// Progress t = epoch / max_epochs in [0,1]. With start value S, final value f and speed k > 0:
//
//   g_k(t) = (exp(-k t) - exp(-k)) / (1 - exp(-k))        g_k(0) = 1, g_k(1) = 0, decreasing
//   v(t)   = f + (S - f) g_k(t)
//
// so v(0) = S and v(1) = f exactly, and v is monotone between them (decreasing when S > f).
// A large k (20) reaches 99% of the way by t = 0.25; a small k (0.5) is nearly linear
// (g(0.5) = 0.44). The exponential-decay family is one of Domhan et al.'s parametric curve
// models ("Speeding up automatic hyperparameter optimization of deep neural networks by
// extrapolation of learning curves", IJCAI 2015: exp4 without the offset term), rescaled to end
// at f at t = 1.
//
// The speed depends on the configuration through its [0,1] encoding z (SearchSpace::encode;
// NaN coordinates of inactive parameters count as 0.5):
//
//   theta = sum_i w_i z_i,  w_i = 3 + 2 frac((i + 1) phi),  phi = (sqrt(5) - 1) / 2
//   u     = (1 + sin(2 pi theta)) / 2                       in [0, 1]
//   k     = k_min (k_max / k_min)^u,   k_min = 0.5, k_max = 20
//
// Deterministic and smooth in z, but unrelated to f: two configurations with final values
// f_a < f_b cross whenever b is fast and a slow (v_b(t) < v_a(t) for small t). Crossing needs
// S - f to be of the same order as f_b - f_a, which holds because S is the problem's worst value.
#include <Eigen/Core>

namespace rungs::problems {

inline constexpr double kMinCurveSpeed = 0.5;
inline constexpr double kMaxCurveSpeed = 20.0;

// k(z) in [kMinCurveSpeed, kMaxCurveSpeed], as above.
double curve_speed(const Eigen::VectorXd& encoded);

// v(t) for progress t (clamped to [0,1]), start S, final f, speed k > 0.
double learning_curve(double start, double final_value, double speed, double progress);

}  // namespace rungs::problems
