#include "optimizers/tpe/observations.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace rungs::optimizers::tpe {

void Observations::add(std::size_t level, double units, const Eigen::VectorXd& point,
                       double value) {
  auto [it, inserted] = levels_.try_emplace(level);
  Level& l = it->second;
  if (inserted) l.units = units;
  l.rows[std::string(reinterpret_cast<const char*>(point.data()), sizeof(double) * static_cast<std::size_t>(point.size()))] =
      l.values.size();
  l.points.insert(l.points.end(), point.data(), point.data() + point.size());
  const bool finite = std::isfinite(value);
  l.values.push_back(finite ? value : std::numeric_limits<double>::infinity());
  l.finite += finite ? 1 : 0;
  ++total_;
}

std::optional<std::size_t> Level::find(const double* point, std::size_t dimension) const {
  const auto it = rows.find(std::string(reinterpret_cast<const char*>(point), sizeof(double) * dimension));
  if (it == rows.end()) return std::nullopt;
  return it->second;
}

const Level* Observations::level(std::size_t level) const {
  const auto it = levels_.find(level);
  return it == levels_.end() ? nullptr : &it->second;
}

bool can_model(const Level& level, std::size_t n_min) {
  return level.size() >= n_min + 2 && level.finite > 0;
}

Split split(const Level& level, std::size_t n_min, double top_n_percent) {
  const std::size_t n = level.size();
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return level.values[a] < level.values[b];
  });

  const double nd = static_cast<double>(n);
  const auto floor_of = [](double x) { return static_cast<std::size_t>(std::floor(x)); };
  const std::size_t n_good = std::max(n_min, floor_of(top_n_percent * nd / 100.0));
  const std::size_t n_bad = std::max(n_min, floor_of((100.0 - top_n_percent) * nd / 100.0));
  const std::size_t good = std::min({n_good, n - 1, level.finite});
  const std::size_t bad = std::min(n_bad, n - good);

  Split s;
  s.good.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(good));
  s.bad.assign(order.begin() + static_cast<std::ptrdiff_t>(good),
               order.begin() + static_cast<std::ptrdiff_t>(good + bad));
  return s;
}

}  // namespace rungs::optimizers::tpe
