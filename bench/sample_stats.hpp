#pragma once
// Mean and standard error of a benchmark figure over seeds: se = sd / sqrt(n), with the
// sample standard deviation (n - 1). Shared by the benchmark harnesses.
#include <cmath>
#include <vector>

namespace rungs::bench {

struct SampleStats {
  std::vector<double> xs;
  void add(double x) { xs.push_back(x); }
  double mean() const {
    double s = 0;
    for (double x : xs) s += x;
    return xs.empty() ? NAN : s / static_cast<double>(xs.size());
  }
  double se() const {
    if (xs.size() < 2) return 0;
    const double m = mean();
    double ss = 0;
    for (double x : xs) ss += (x - m) * (x - m);
    return std::sqrt(ss / static_cast<double>(xs.size() - 1)) / std::sqrt(static_cast<double>(xs.size()));
  }
};

}  // namespace rungs::bench
