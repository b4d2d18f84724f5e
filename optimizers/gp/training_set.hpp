#pragma once
// Which observations the GP trains on, and the targets it sees.
//
// Bounded cost. Exact GP inference is O(n^3) in the training set, so it is capped: with more
// than `cap` observations at a level, the GP keeps the best cap/5 (they define the incumbent
// and the region EI works around) and, among the others, the most recent (the model follows
// where the search currently is; older, worse points mostly describe regions already
// abandoned). Everything stays in the history; only the model's view is bounded. With the
// default cap of 500 the factorization costs a few milliseconds whatever the campaign's size.
//
// Failures. The optimizer contract delivers failed, missing and non-finite results as NaN or
// +inf: "worst". A GP cannot regress on infinity, and dropping failures would let the model
// propose the same crashing region again, so they take the worst finite value among the
// selected observations (HpBandSter's BOHB does the same for its KDEs' split). Then targets
// are standardized to mean 0 and standard deviation 1 (kernel and priors assume that scale);
// a constant set (one point, all failed, all equal) gets scale 1 instead of dividing by 0.
#include <Eigen/Core>

#include <cstddef>
#include <vector>

namespace rungs::optimizers::gp {

// Indices into `values` (ascending) of at most `cap` observations: the best max(1, cap / 5)
// (non-finite values rank last; ties go to the earlier), then the most recent others.
// values[i] is the i-th observation in arrival order. All of them when size <= cap.
std::vector<std::size_t> select_training(const std::vector<double>& values, std::size_t cap);

struct Targets {
  Eigen::VectorXd y;  // standardized, all finite
  double mean = 0;    // y = (value - mean) / scale, after failures took the worst finite value
  double scale = 1;
  double worst = 0;   // the value failures took (0 when every value failed)
};

Targets standardize(const std::vector<double>& values);

}  // namespace rungs::optimizers::gp
