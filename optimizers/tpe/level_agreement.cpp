#include "optimizers/tpe/level_agreement.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

namespace rungs::optimizers::tpe {

namespace {

// Ranks from 1, ties (equal values, +inf included) given the average of the ranks they span.
std::vector<double> average_ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    const double rank = (static_cast<double>(i + j) / 2.0) + 1.0;
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    i = j + 1;
  }
  return ranks;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
  const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  // A level whose common values are all tied orders nothing: no evidence either way.
  return sxx > 0 && syy > 0 ? sxy / std::sqrt(sxx * syy) : 0.0;
}

}  // namespace

Agreement agreement(const Level& lower, const Level& upper, std::size_t dimension) {
  std::vector<double> low, high;
  for (std::size_t i = 0; i < upper.size(); ++i) {
    if (const auto j = lower.find(upper.row(i, dimension), dimension)) {
      low.push_back(lower.values[*j]);
      high.push_back(upper.values[i]);
    }
  }
  Agreement a;
  a.common = low.size();
  if (a.common < 3) return a;
  a.rho = pearson(average_ranks(low), average_ranks(high));
  const double m = static_cast<double>(a.common);
  a.weight = (m * std::max(0.0, a.rho) + kAgreementPrior) / (m + kAgreementPrior);
  return a;
}

}  // namespace rungs::optimizers::tpe
