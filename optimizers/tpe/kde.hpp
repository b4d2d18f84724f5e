#pragma once
// Product-kernel density estimate on the [0,1]^d encoding of a search space (encoding.hpp):
// the l(x) and g(x) of TPE (Bergstra et al., NeurIPS 2011), with the kernels and bandwidths of
// BOHB (Falkner et al., ICML 2018), which fits statsmodels' KDEMultivariate.
//
//   p(x) = 1/n sum_i prod_j k_j(x_j, X_ij)
//
// Kernels when both x_j and X_ij are active:
//  - continuous (float and int coordinates): a Gaussian of bandwidth h truncated to [0,1] and
//    renormalized there, so that it integrates to 1 over [0,1] for every centre c:
//      k(x, c) = phi((x - c) / h) / (h (Phi((1 - c) / h) - Phi(-c / h))).
//    Log scale needs nothing special: the encoding already is linear in log(value).
//    Bandwidth: Scott's rule as statsmodels' normal_reference, h_j = 1.06 sigma_j
//    n_j^(-1 / (4 + d)) (sigma_j: standard deviation, ddof 0, of the n_j active values of
//    coordinate j; d: the space's dimension), never below the coordinate's floor. The TPE
//    optimizer raises that floor to the data's resolution, 1 / min(100, n_j + 1)
//    (resolution_floor below; why: tpe.hpp, "Bandwidth floor").
//  - integers are continuous coordinates whose floor is half a slice, 0.5 / m for m integers
//    (each integer owns a slice of [0,1], of mean width 1/m; candidates sit at slice
//    centres). Without it, good points sharing an integer give sigma = 0, a 1e-3 bandwidth
//    and a spike: every candidate drawn around them decodes to that same integer, and the
//    spike's height, not the data, decides l/g. With it, a kernel spreads over its own slice
//    and its neighbours, and a perturbation of bandwidth_factor (3) bandwidths reaches 1.5
//    slices: an ordinal treatment (neighbours are similar) on the same [0,1] scale as floats.
//    A discrete ordinal kernel (Wang-Ryzin) would be the alternative; the slice-floored
//    Gaussian keeps one code path and treats log-scale integers as their encoding does.
//  - categorical (k choices; the index comes from the encoding's slices, the order of the
//    choices means nothing): Aitchison-Aitken,
//      k(x, c) = 1 - lambda if x == c, lambda / (k - 1) otherwise (1 when k = 1),
//    which sums to 1 over the k choices. lambda: the normal-reference rule on the indices (what
//    HpBandSter gets from statsmodels), clipped to [min_bandwidth, (k - 1) / k]: at (k - 1)/k
//    the kernel is uniform; beyond it, it would favour every other choice over the observed one.
//
// Inactive coordinates (NaN in the encoding) are a state of their own, not a value to impute:
//  - x_j and X_ij both inactive:          k_j = 1;
//  - x_j inactive, X_ij active:           k_j = 1;
//  - x_j active, X_ij inactive:           k_j = the uniform density of the coordinate
//                                           (1 on [0,1]; 1/k for a categorical).
// Activity is a function of the parent coordinates (conditions hold on categorical and integer
// parents), and the parents' kernels already say how likely a candidate is to take another
// branch than X_i (Aitchison-Aitken's lambda / (k - 1), a Gaussian's tail). Given the parents,
// the factor above is then a normalized density of coordinate j: X_i's kernel where X_i had a
// value, the prior (uniform in the encoding) where the branch is new to X_i, certainty where
// the coordinate disappears. By induction over the sampling order, each point's kernel is a
// probability density on the conditional space itself, so p is exactly normalized, a mixture
// over activity patterns weighted by how often the data and its kernels reach each pattern;
// and it is the density of the sampler below, which fills newly active coordinates from the
// prior. (Zero or epsilon instead of the uniform density would leak the probability that the
// parents' kernels give to other branches: p would no longer integrate to 1.)
// HpBandSter instead imputes every inactive value, copying it from a random point of the same
// set where the parameter is active (or drawing it at random when there is none), and fits
// the KDE on the result: a candidate's density then depends on made-up values of parameters
// that influenced no run, the copies over-weight the values they duplicate and shrink or
// widen the bandwidth at random, and "momentum does not exist here" becomes "momentum = some
// other run's value".
//
// Precision: fitting is in double; the kernel tables are stored in single precision and
// evaluated with a vectorized exp and erfc (fast_math.hpp), which halves the cost of scoring.
// A log-density carries an absolute error of about 1e-6, and the truncation masses are within
// 1e-6 of exact, far below what separates two candidates.
//
// A Kde is immutable once fitted; its const methods may run concurrently.
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "space/search_space.hpp"

namespace rungs::optimizers::tpe {

// How one coordinate of the encoding is modelled.
struct Coordinate {
  std::size_t choices = 0;       // 0: continuous (float, int); k >= 1: categorical, k choices
  double min_bandwidth = 1e-3;   // floor of the bandwidth (of lambda for categoricals)
};

// One Coordinate per parameter of `space`, in parameters() order: floats get `min_bandwidth`,
// ints max(min_bandwidth, 0.5 / (high - low + 1)), categoricals their number of choices.
std::vector<Coordinate> coordinates_of(const space::SearchSpace& space, double min_bandwidth);

// The resolution of n values of a continuous coordinate: 1 / min(100, n + 1) of the encoded
// range [0,1], their mean spacing were they spread evenly (hyperopt's "magic clip").
double resolution_floor(std::size_t n);

// The choice index of a categorical coordinate's encoded value u: the slice it falls in.
std::size_t choice_of(double u, std::size_t choices);

class Kde {
 public:
  Kde() = default;  // no points: log_density is -inf

  // Fits the points `rows`, each coordinates.size() encoded values (NaN = inactive); copies
  // them. Scott's exponent uses d = coordinates.size().
  Kde(const std::vector<Coordinate>& coordinates, const std::vector<const double*>& rows);

  std::size_t size() const { return n_; }
  std::size_t dimension() const { return columns_.size(); }
  // h_j of a continuous coordinate, lambda_j of a categorical one.
  double bandwidth(std::size_t j) const { return columns_[j].bandwidth; }

  // log p(x) for one encoded point (NaN = inactive); -inf when the KDE has no points.
  double log_density(const double* x) const;
  // The same for `count` points stored one after another (count x dimension() values):
  // out[c] = log p(xs + c * dimension()). One pass per point over the data, no allocation
  // per point.
  void log_density(const double* xs, std::size_t count, double* out) const;

  // BOHB's proposal: one of the points, uniformly, perturbed coordinate by coordinate:
  // continuous ones by a Gaussian of bandwidth * bandwidth_factor truncated to [0,1];
  // categorical ones kept with probability 1 - lambda, else another choice uniformly;
  // coordinates inactive at the point drawn uniformly (the prior), for the case where the
  // perturbed parents activate them. Writes dimension() values to `out`. Requires size() > 0.
  void sample(std::mt19937_64& rng, double bandwidth_factor, double* out) const;

 private:
  // Per coordinate, the log-kernel of every point as a function of the candidate's value x:
  //  - continuous: offset[i] - quad[i] * (x - centre[i])^2 (quad = offset = 0 where the point
  //    is inactive: the constant log 1);
  //  - categorical: table[x * n + i].
  // Single precision (see the header comment).
  struct Column {
    std::size_t choices = 0;
    double bandwidth = 0;
    std::vector<float> centre, quad, offset;
    std::vector<float> table;
  };

  // acc[i - begin] = sum_j log k_j(x_j, X_ij) over the coordinates active at x, for the points
  // i in [begin, begin + count).
  void accumulate(const double* x, std::size_t begin, std::size_t count, float* acc) const;

  std::size_t n_ = 0;
  std::vector<Column> columns_;
  std::vector<double> points_;  // n x d, row-major: the fitted points, for sample()
};

}  // namespace rungs::optimizers::tpe
