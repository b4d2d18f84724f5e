#include "optimizers/gp/training_set.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace rungs::optimizers::gp {

std::vector<std::size_t> select_training(const std::vector<double>& values, std::size_t cap) {
  std::vector<std::size_t> all(values.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  if (values.size() <= cap) return all;

  const std::size_t best_n = std::max<std::size_t>(1, cap / 5);
  const auto key = [&](std::size_t i) { return std::isfinite(values[i]) ? values[i] : HUGE_VAL; };
  std::vector<std::size_t> by_value = all;
  std::stable_sort(by_value.begin(), by_value.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });

  std::vector<bool> chosen(values.size(), false);
  for (std::size_t k = 0; k < std::min(best_n, cap); ++k) chosen[by_value[k]] = true;
  std::size_t count = std::min(best_n, cap);
  for (std::size_t i = values.size(); i-- > 0 && count < cap;)
    if (!chosen[i]) chosen[i] = true, ++count;

  std::vector<std::size_t> out;
  out.reserve(cap);
  for (std::size_t i = 0; i < values.size(); ++i)
    if (chosen[i]) out.push_back(i);
  return out;
}

Targets standardize(const std::vector<double>& values) {
  Targets t;
  t.y.resize(static_cast<Eigen::Index>(values.size()));
  bool any_finite = false;
  for (double v : values)
    if (std::isfinite(v)) t.worst = any_finite ? std::max(t.worst, v) : v, any_finite = true;
  for (std::size_t i = 0; i < values.size(); ++i)
    t.y[static_cast<Eigen::Index>(i)] = std::isfinite(values[i]) ? values[i] : t.worst;
  if (values.empty()) return t;
  t.mean = t.y.mean();
  const double sd = std::sqrt((t.y.array() - t.mean).square().mean());
  t.scale = sd > 1e-12 * std::max(1.0, std::abs(t.mean)) && std::isfinite(sd) ? sd : 1.0;
  t.y = ((t.y.array() - t.mean) / t.scale).matrix();
  return t;
}

}  // namespace rungs::optimizers::gp
