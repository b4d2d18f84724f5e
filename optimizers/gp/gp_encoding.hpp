#pragma once
// The GP's features: how a configuration becomes a point the Matern kernel measures
// distances between. Built on the search space's [0,1] encoding (space/encoding.hpp; NaN for
// an inactive parameter). Each parameter owns one length-scale group (matern52.hpp) and:
//
//   float / int, unconditional      1 feature   u
//   float / int, conditional        2 features  active: rho (cos(pi u / 2), sin(pi u / 2))
//                                               inactive: (0, 0)
//   categorical, k choices          k features  active: e_c / sqrt2 (c = the choice's index)
//                                               inactive: all zero
//   with rho = 1 / sqrt2.
//
// Categoricals are one-hot: the order of choices means nothing, so every two different
// choices are at the same distance, 1 (the 1/sqrt2 scale makes it equal to the distance
// between the two ends of a numeric range). Reading the [0,1] slice code as a number would
// tell the kernel that "adam" lies between "sgd" and "rmsprop".
//
// Inactive parameters: the arc embedding of Swersky, Duvenaud, Snoek, Hutter & Osborne,
// "Raiders of the Lost Architecture: Kernels for Bayesian Optimization in Conditional
// Parameter Spaces" (NeurIPS BayesOpt workshop 2013), with a quarter circle. Active values
// lie on an arc of radius rho around the origin, inactive ones at the origin, so in this
// parameter's coordinates (and under its one length scale):
//   - two configurations where it is inactive are at distance 0: it influenced neither run,
//     so it must not make them look different;
//   - an inactive and an active one are at distance rho = 0.71 whatever the active value:
//     "absent" is equally unlike every value, and how unlike is learned (the length scale);
//   - two active values are at chord distance sqrt2 sin(pi |u - u'| / 4), within 11% of
//     |u - u'| and exactly 1 for the two ends, so active points keep their geometry;
//   - no active value can collide with the inactive point (the arc avoids the origin).
// One-hot categoricals get the same three properties from the all-zero vector (inactive to
// any choice: 1 / sqrt2 again).
//
// Why not impute (HpBandSter draws a random value for inactive parameters, others use a
// default such as 0 or -1)? A random value makes two runs that differ in nothing that
// mattered look different by a random amount: the GP reads the resulting disagreement as
// noise or as short length scales, and the features change with the imputation draw. A fixed
// value inside or next to the range (0, the default, -1) collides with, or sits nearer to,
// some active values than others, inventing a trend ("inactive momentum behaves like small
// momentum"). The arc keeps the information (active or not, and the value) and adds none.
#include <Eigen/Core>

#include <cstddef>
#include <vector>

#include "space/search_space.hpp"

namespace rungs::optimizers::gp {

class FeatureMap {
 public:
  explicit FeatureMap(const space::SearchSpace& space);

  Eigen::Index features() const { return static_cast<Eigen::Index>(groups_.size()); }
  // One length-scale group per parameter, in parameters() order.
  Eigen::Index groups() const { return static_cast<Eigen::Index>(blocks_.size()); }
  // feature -> its parameter's index: Matern52's `groups`.
  const std::vector<Eigen::Index>& feature_groups() const { return groups_; }

  // Features of an encoded point (SearchSpace::encode: [0,1], NaN = inactive).
  Eigen::VectorXd operator()(const Eigen::VectorXd& encoded) const;
  // The same, written into row `row` of `out` (which has features() columns).
  void write(const Eigen::VectorXd& encoded, Eigen::MatrixXd& out, Eigen::Index row) const;

 private:
  enum class Kind { numeric, conditional_numeric, categorical };
  struct Block {
    Kind kind;
    Eigen::Index first;   // first feature
    std::size_t choices;  // categorical only
  };
  std::vector<Block> blocks_;
  std::vector<Eigen::Index> groups_;
};

}  // namespace rungs::optimizers::gp
