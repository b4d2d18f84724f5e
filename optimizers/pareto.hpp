#pragma once
// Pareto ranking of points whose coordinates are all to minimize: the one ordering used by
// the schedulers (promotion at a rung, MO-ASHA), the TPE for several objectives (MOTPE's
// split) and the campaign's result (its Pareto front). Header-only: the scheduler uses only
// the optimizer interface's headers.
//
//  - nondominated_ranks: the front index of each point (0 = non-dominated), by repeated
//    peeling (Deb et al., NSGA-II, IEEE TEC 2002: "non-dominated sorting"). O(m n^2) per
//    front; n is a rung's size.
//  - pareto_order: every point, best first: front by front, and within a front by the greedy
//    epsilon-net of MO-ASHA (Schmucker, Donini, Zafar, Salinas & Archambeau, "Multi-objective
//    Asynchronous Successive Halving", 2021, Sec. 3; Salinas et al. 2021): start with the
//    point best in the first objective, then repeatedly take the point farthest (Euclidean,
//    each objective scaled by its range over all points) from those taken. The first k of a
//    front are then spread along it instead of crowded at one end. Ties: the smaller index.
//  - hypervolume_2d: the area dominated by two-objective points and bounded by `reference`
//    (both coordinates minimized), for MOTPE's tie-break and the benchmarks.
// Points with a NaN or infinite coordinate are the caller's to exclude.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <vector>

namespace rungs::optimizers {

using Point = std::vector<double>;

// a dominates b: no worse in every coordinate, better in one.
inline bool dominates(const Point& a, const Point& b) {
  bool better = false;
  for (std::size_t j = 0; j < a.size(); ++j) {
    if (a[j] > b[j]) return false;
    if (a[j] < b[j]) better = true;
  }
  return better;
}

inline std::vector<std::size_t> nondominated_ranks(const std::vector<Point>& points) {
  const std::size_t n = points.size();
  std::vector<std::size_t> rank(n, n);
  std::size_t assigned = 0;
  for (std::size_t front = 0; assigned < n; ++front) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < n; ++i) {
      if (rank[i] != n) continue;
      bool dominated = false;
      for (std::size_t j = 0; j < n && !dominated; ++j)
        dominated = j != i && rank[j] == n && dominates(points[j], points[i]);
      if (!dominated) members.push_back(i);
    }
    for (std::size_t i : members) rank[i] = front;
    assigned += members.size();
  }
  return rank;
}

// The indices of `members` (a subset of points) in epsilon-net order (see above).
inline std::vector<std::size_t> epsilon_net(const std::vector<Point>& points, std::vector<std::size_t> members) {
  if (members.size() <= 1 || points.empty()) return members;
  const std::size_t m = points.front().size();
  std::vector<double> scale(m, 1.0);
  for (std::size_t j = 0; j < m; ++j) {
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const auto& p : points) low = std::min(low, p[j]), high = std::max(high, p[j]);
    if (high > low) scale[j] = high - low;
  }
  const auto distance = [&](std::size_t a, std::size_t b) {
    double total = 0;
    for (std::size_t j = 0; j < m; ++j) total += std::pow((points[a][j] - points[b][j]) / scale[j], 2);
    return std::sqrt(total);
  };
  std::sort(members.begin(), members.end());
  std::vector<std::size_t> order;
  std::size_t first = 0;
  for (std::size_t i = 1; i < members.size(); ++i)
    if (points[members[i]][0] < points[members[first]][0]) first = i;
  order.push_back(members[first]);
  members.erase(members.begin() + static_cast<std::ptrdiff_t>(first));
  std::vector<double> nearest(members.size(), std::numeric_limits<double>::infinity());
  while (!members.empty()) {
    std::size_t pick = 0;
    for (std::size_t i = 0; i < members.size(); ++i) {
      nearest[i] = std::min(nearest[i], distance(members[i], order.back()));
      if (nearest[i] > nearest[pick]) pick = i;
    }
    order.push_back(members[pick]);
    members.erase(members.begin() + static_cast<std::ptrdiff_t>(pick));
    nearest.erase(nearest.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  return order;
}

inline std::vector<std::size_t> pareto_order(const std::vector<Point>& points) {
  const auto rank = nondominated_ranks(points);
  const std::size_t fronts = points.empty() ? 0 : *std::max_element(rank.begin(), rank.end()) + 1;
  std::vector<std::size_t> order;
  order.reserve(points.size());
  for (std::size_t f = 0; f < fronts; ++f) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < points.size(); ++i)
      if (rank[i] == f) members.push_back(i);
    for (std::size_t i : epsilon_net(points, std::move(members))) order.push_back(i);
  }
  return order;
}

// Indices of the non-dominated points, in index order.
inline std::vector<std::size_t> pareto_front(const std::vector<Point>& points) {
  const auto rank = nondominated_ranks(points);
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < points.size(); ++i)
    if (rank[i] == 0) front.push_back(i);
  return front;
}

inline double hypervolume_2d(std::vector<Point> points, const Point& reference) {
  std::erase_if(points, [&](const Point& p) { return !(p[0] < reference[0] && p[1] < reference[1]); });
  std::sort(points.begin(), points.end());
  std::vector<Point> front;  // x ascending, y strictly descending
  for (const auto& p : points)
    if (front.empty() || p[1] < front.back()[1]) front.push_back(p);
  double area = 0;
  for (std::size_t i = 0; i < front.size(); ++i) {
    const double right = i + 1 < front.size() ? front[i + 1][0] : reference[0];
    area += (right - front[i][0]) * (reference[1] - front[i][1]);
  }
  return area;
}

}  // namespace rungs::optimizers
