#pragma once
// What the TPE optimizer has observed, per budget level, and BOHB's split of a level into the
// good and the bad points.
//
// Values at different levels are not comparable (a loss after 1 epoch is not one after 27),
// so each level is ranked on its own. Values to minimize; a failed or non-finite result (NaN,
// +inf, and -inf too: no real run reaches it) is stored as +inf, the worst, and ranks after
// every finite one; ties keep the order of arrival, so the split is deterministic.
//
// Memory: one row of d doubles, one value and one index entry per observation.
#include <Eigen/Core>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "optimizers/optimizer.hpp"

namespace rungs::optimizers::tpe {

struct Level {
  double units = 0;             // the scheduler's budget units, as first observed
  std::vector<double> points;   // size() x dimension, row-major; NaN = inactive
  std::vector<double> values;   // +inf for failures
  std::size_t finite = 0;       // how many values are finite
  // Row of each distinct point (its bytes), the latest when a configuration came back.
  std::unordered_map<std::string, std::size_t> rows;
  // Constraints (c-TPE): size() x constraints margins, row-major (optimizers::Measures; NaN:
  // not reported, infeasible). Several objectives (MOTPE): size() x objectives, minimized,
  // +inf when not finite. A row observed without them gets NaN margins / +inf objectives.
  std::size_t constraints = 0;
  std::vector<double> margins;
  std::size_t objective_count = 0;
  std::vector<double> objectives;

  std::size_t size() const { return values.size(); }
  const double* row(std::size_t i, std::size_t dimension) const {
    return points.data() + i * dimension;
  }
  // The row holding exactly `point` (an encoded configuration), if this level observed it.
  std::optional<std::size_t> find(const double* point, std::size_t dimension) const;
};

class Observations {
 public:
  explicit Observations(std::size_t dimension = 0) : dimension_(dimension) {}

  // Requires point.size() == dimension(). Non-finite values are stored as +inf.
  void add(std::size_t level, double units, const Eigen::VectorXd& point, double value,
           const Measures& measures = {});

  std::size_t dimension() const { return dimension_; }
  std::size_t size() const { return total_; }
  // nullptr when nothing was observed at that level.
  const Level* level(std::size_t level) const;
  // Ordered by level, smallest first.
  const std::map<std::size_t, Level>& levels() const { return levels_; }

 private:
  std::size_t dimension_;
  std::size_t total_ = 0;
  std::map<std::size_t, Level> levels_;
};

// Whether a level can be modelled: at least n_min + 2 observations (BOHB's |D_b| >= N_min + 2)
// of which at least one is finite (a good set made only of failures would model nothing).
bool can_model(const Level& level, std::size_t n_min);

// The order `split` ranks a level in, best first: by value (ties by arrival); with several
// objectives, MOTPE's (Ozaki, Tanigaki, Watanabe & Onishi, "Multiobjective Tree-Structured
// Parzen Estimator for Computationally Expensive Optimization Problems", GECCO 2020, Sec. 3.2):
// by non-dominated rank, each front by hypervolume contribution, largest first (two
// objectives; with more, the epsilon-net order of optimizers/pareto.hpp), failures last.
std::vector<std::size_t> rank_order(const Level& level);

// BOHB's split, as HpBandSter computes it on a level of n observations sorted best first:
//   n_good = max(N_min, floor(top_n_percent / 100 * n)),
//   n_bad  = max(N_min, floor((100 - top_n_percent) / 100 * n)),
//   good = sorted[0, n_good), bad = sorted[n_good, n_good + n_bad) (truncated at n).
// Two guards HpBandSter lacks: failures never enter the good set (good stops at the last
// finite value; the bad set then starts there), and n_good <= n - 1 so that the bad set is
// never empty. Indices into the level, in rank order. Requires can_model(level, n_min).
struct Split {
  std::vector<std::size_t> good;
  std::vector<std::size_t> bad;
};
Split split(const Level& level, std::size_t n_min, double top_n_percent);

}  // namespace rungs::optimizers::tpe
