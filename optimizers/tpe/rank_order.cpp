// The order TPE splits a level by (observations.hpp: rank_order), with MOTPE's rule for
// several objectives.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "optimizers/pareto.hpp"
#include "optimizers/tpe/observations.hpp"

namespace rungs::optimizers::tpe {

namespace {

// Each point's exclusive hypervolume contribution within a two-objective front: the
// rectangle between it and its neighbours along the front (the reference point: 1 beyond the
// worst of each coordinate over the front), Ozaki et al. 2020's tie-break.
std::vector<double> contributions_2d(const std::vector<Point>& points, const std::vector<std::size_t>& front) {
  std::vector<std::size_t> sorted = front;
  std::sort(sorted.begin(), sorted.end(), [&](std::size_t a, std::size_t b) {
    return points[a][0] != points[b][0] ? points[a][0] < points[b][0] : a < b;
  });
  double worst0 = -std::numeric_limits<double>::infinity(), worst1 = worst0;
  for (std::size_t i : front) worst0 = std::max(worst0, points[i][0]), worst1 = std::max(worst1, points[i][1]);
  std::vector<double> out(points.size(), 0.0);
  for (std::size_t k = 0; k < sorted.size(); ++k) {
    const double right = k + 1 < sorted.size() ? points[sorted[k + 1]][0] : worst0 + 1;
    const double up = k > 0 ? points[sorted[k - 1]][1] : worst1 + 1;
    out[sorted[k]] = (right - points[sorted[k]][0]) * (up - points[sorted[k]][1]);
  }
  return out;
}

}  // namespace

std::vector<std::size_t> rank_order(const Level& level) {
  const std::size_t n = level.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  const std::size_t m = level.objective_count;
  if (m < 2) {
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return level.values[a] < level.values[b];
    });
    return order;
  }
  // Finite points by front and contribution, then the failures in arrival order.
  std::vector<std::size_t> finite;
  std::vector<std::size_t> failed;
  std::vector<Point> points;
  for (std::size_t i = 0; i < n; ++i) {
    Point p(level.objectives.begin() + static_cast<std::ptrdiff_t>(i * m),
            level.objectives.begin() + static_cast<std::ptrdiff_t>((i + 1) * m));
    if (std::all_of(p.begin(), p.end(), [](double v) { return std::isfinite(v); })) {
      finite.push_back(i);
      points.push_back(std::move(p));
    } else {
      failed.push_back(i);
    }
  }
  const auto ranks = nondominated_ranks(points);
  const std::size_t fronts = points.empty() ? 0 : *std::max_element(ranks.begin(), ranks.end()) + 1;
  order.clear();
  for (std::size_t f = 0; f < fronts; ++f) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < points.size(); ++i)
      if (ranks[i] == f) members.push_back(i);
    if (m == 2) {
      const auto contribution = contributions_2d(points, members);
      std::stable_sort(members.begin(), members.end(),
                       [&](std::size_t a, std::size_t b) { return contribution[a] > contribution[b]; });
    } else {
      members = epsilon_net(points, members);
    }
    for (std::size_t i : members) order.push_back(finite[i]);
  }
  order.insert(order.end(), failed.begin(), failed.end());
  return order;
}

}  // namespace rungs::optimizers::tpe
