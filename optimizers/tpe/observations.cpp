#include "optimizers/tpe/observations.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace rungs::optimizers::tpe {

void Observations::add(std::size_t level, double units, const Eigen::VectorXd& point,
                       double value, const Measures& measures) {
  auto [it, inserted] = levels_.try_emplace(level);
  Level& l = it->second;
  if (inserted) l.units = units;
  l.rows[std::string(reinterpret_cast<const char*>(point.data()), sizeof(double) * static_cast<std::size_t>(point.size()))] =
      l.values.size();
  l.points.insert(l.points.end(), point.data(), point.data() + point.size());
  const bool finite = std::isfinite(value);
  l.values.push_back(finite ? value : std::numeric_limits<double>::infinity());
  l.finite += finite ? 1 : 0;
  // Constraint margins and objectives: the first row with them sets their count (earlier rows
  // are backfilled as infeasible / failed).
  const auto append = [&](std::size_t& count, std::vector<double>& table, const std::vector<double>& row, double missing) {
    if (count == 0 && !row.empty()) {
      count = row.size();
      table.assign((l.values.size() - 1) * count, missing);
    }
    for (std::size_t k = 0; k < count; ++k) {
      const double v = k < row.size() ? row[k] : missing;
      table.push_back(std::isnan(v) ? missing : v);
    }
  };
  append(l.constraints, l.margins, measures.constraints, std::numeric_limits<double>::quiet_NaN());
  std::vector<double> objectives = measures.objectives;
  for (double& v : objectives) v = std::isfinite(v) && finite ? v : std::numeric_limits<double>::infinity();
  append(l.objective_count, l.objectives, objectives, std::numeric_limits<double>::infinity());
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
  const std::vector<std::size_t> order = rank_order(level);

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
