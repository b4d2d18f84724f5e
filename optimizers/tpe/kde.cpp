#include "optimizers/tpe/kde.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <variant>

#include "optimizers/tpe/fast_math.hpp"
#include "space/sampling.hpp"

namespace rungs::optimizers::tpe {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// Standard normal draws by Marsaglia's polar method on the engine's own uniforms (the same on
// every standard library, unlike std::normal_distribution): two draws per logarithm, no
// trigonometry.
class Normals {
 public:
  explicit Normals(std::mt19937_64& rng) : rng_(rng) {}

  double next() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0, v = 0, s = 0;
    do {
      u = 2.0 * space::uniform01(rng_) - 1.0;
      v = 2.0 * space::uniform01(rng_) - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

 private:
  std::mt19937_64& rng_;
  double spare_ = 0;
  bool has_spare_ = false;
};

// A Gaussian of mean `mean` and deviation `sd` truncated to [0,1], by rejection. Acceptance is
// at least about a quarter (a mean at an end, the widest deviation a [0,1] sample can give
// times 3), so 64 tries fail with probability below 1e-7; then the uniform, which is what a
// very wide truncated Gaussian tends to.
double truncated_normal(Normals& normals, std::mt19937_64& rng, double mean, double sd) {
  for (int attempt = 0; attempt < 64; ++attempt) {
    const double x = mean + sd * normals.next();
    if (x >= 0.0 && x <= 1.0) return x;
  }
  return space::uniform01(rng);
}

// Standard deviation (ddof 0, as numpy's std in statsmodels) of `values`.
double deviation(const std::vector<double>& values) {
  if (values.size() < 2) return 0.0;
  double mean = 0;
  for (double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double sum = 0;
  for (double v : values) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / static_cast<double>(values.size()));
}

// statsmodels' normal_reference bandwidth: 1.06 sigma n^(-1 / (4 + d)).
double normal_reference(const std::vector<double>& values, std::size_t dimension) {
  if (values.empty()) return 0.0;
  const double exponent = -1.0 / (4.0 + static_cast<double>(dimension));
  return 1.06 * deviation(values) * std::pow(static_cast<double>(values.size()), exponent);
}

}  // namespace

double resolution_floor(std::size_t n) {
  return 1.0 / std::min(100.0, 1.0 + static_cast<double>(n));
}

std::vector<Coordinate> coordinates_of(const space::SearchSpace& space, double min_bandwidth) {
  std::vector<Coordinate> coordinates;
  coordinates.reserve(space.dimension());
  for (const auto& parameter : space.parameters()) {
    Coordinate c;
    c.min_bandwidth = min_bandwidth;
    if (const auto* d = std::get_if<space::IntDomain>(&parameter.domain)) {
      const double integers = static_cast<double>(d->high) - static_cast<double>(d->low) + 1.0;
      c.min_bandwidth = std::max(min_bandwidth, 0.5 / integers);
    } else if (const auto* d = std::get_if<space::CategoricalDomain>(&parameter.domain)) {
      c.choices = d->choices.size();
    }
    coordinates.push_back(c);
  }
  return coordinates;
}

std::size_t choice_of(double u, std::size_t choices) {
  const double slice = std::floor(std::clamp(u, 0.0, 1.0) * static_cast<double>(choices));
  return std::min(static_cast<std::size_t>(slice), choices - 1);
}

Kde::Kde(const std::vector<Coordinate>& coordinates, const std::vector<const double*>& rows)
    : n_(rows.size()), columns_(coordinates.size()) {
  const std::size_t d = coordinates.size();
  points_.reserve(n_ * d);
  for (const double* row : rows) points_.insert(points_.end(), row, row + d);

  std::vector<double> active, centre;
  std::vector<float> upper, lower, mass;
  for (std::size_t j = 0; j < d; ++j) {
    Column& col = columns_[j];
    col.choices = coordinates[j].choices;
    const std::size_t k = col.choices;
    active.clear();
    for (const double* row : rows)
      if (!std::isnan(row[j]))
        active.push_back(k > 0 ? static_cast<double>(choice_of(row[j], k)) : row[j]);
    const double h = normal_reference(active, d);

    if (k > 0) {
      // Aitchison-Aitken; with one choice the kernel is 1 whatever lambda.
      const double kd = static_cast<double>(k);
      col.bandwidth = k == 1 ? 0.0 : std::clamp(h, coordinates[j].min_bandwidth, (kd - 1.0) / kd);
      const auto log_same = static_cast<float>(k == 1 ? 0.0 : std::log(1.0 - col.bandwidth));
      const auto log_other =
          static_cast<float>(k == 1 ? 0.0 : std::log(col.bandwidth / (kd - 1.0)));
      const auto log_uniform = static_cast<float>(-std::log(kd));
      col.table.assign(k * n_, log_other);
      for (std::size_t i = 0; i < n_; ++i) {
        const double u = rows[i][j];
        if (std::isnan(u)) {
          for (std::size_t x = 0; x < k; ++x) col.table[x * n_ + i] = log_uniform;
        } else {
          col.table[choice_of(u, k) * n_ + i] = log_same;
        }
      }
      continue;
    }

    col.bandwidth = std::max(h, coordinates[j].min_bandwidth);
    const double bw = col.bandwidth;
    const double log_gauss = -std::log(bw) - 0.5 * std::log(2.0 * std::numbers::pi);
    // Mass of the Gaussian inside [0,1]: Phi((1 - c)/h) - Phi(-c/h)
    //   = 1 - (erfc((1 - c) / (h sqrt 2)) + erfc(c / (h sqrt 2))) / 2,
    // at least 0.47 for c in [0,1] and h <= 0.53 (the largest h a [0,1] sample gives), so
    // fast::erfc's absolute error of 4e-7 leaves the mass, and the density's integral, within
    // 1e-6 (relative) of exact. Separate simple loops, each vectorized; the arguments are
    // capped at 8.8 (fast::erfc's domain; erfc(8.8) < 2e-35). Inactive rows give NaN, skipped
    // below.
    const double scale = 1.0 / (bw * std::numbers::sqrt2);
    centre.resize(n_);
    upper.resize(n_);
    lower.resize(n_);
    mass.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) centre[i] = rows[i][j];
    for (std::size_t i = 0; i < n_; ++i) {
      upper[i] = static_cast<float>(std::min((1.0 - centre[i]) * scale, 8.8));
      lower[i] = static_cast<float>(std::min(centre[i] * scale, 8.8));
    }
    for (std::size_t i = 0; i < n_; ++i)
      mass[i] = 1.0f - 0.5f * (fast::erfc(upper[i]) + fast::erfc(lower[i]));
    col.centre.assign(n_, 0.0f);
    col.quad.assign(n_, 0.0f);
    col.offset.assign(n_, 0.0f);  // inactive points: log of the uniform density 1
    const auto quad = static_cast<float>(0.5 / (bw * bw));
    for (std::size_t i = 0; i < n_; ++i) {
      if (std::isnan(centre[i])) continue;
      col.centre[i] = static_cast<float>(centre[i]);
      col.quad[i] = quad;
      col.offset[i] = static_cast<float>(log_gauss - std::log(mass[i]));
    }
  }
}

void Kde::accumulate(const double* x, std::size_t begin, std::size_t count, float* acc) const {
  std::fill(acc, acc + count, 0.0f);
  for (std::size_t j = 0; j < columns_.size(); ++j) {
    if (std::isnan(x[j])) continue;  // inactive at x: every point's factor is 1
    const Column& col = columns_[j];
    if (col.choices > 0) {
      const float* t = col.table.data() + choice_of(x[j], col.choices) * n_ + begin;
      for (std::size_t i = 0; i < count; ++i) acc[i] += t[i];
      continue;
    }
    const auto v = static_cast<float>(x[j]);
    const float* centre = col.centre.data() + begin;
    const float* quad = col.quad.data() + begin;
    const float* offset = col.offset.data() + begin;
    for (std::size_t i = 0; i < count; ++i) {
      const float z = v - centre[i];
      acc[i] += offset[i] - quad[i] * z * z;
    }
  }
}

void Kde::log_density(const double* xs, std::size_t count, double* out) const {
  if (n_ == 0) {
    std::fill(out, out + count, -kInf);
    return;
  }
  // The points in blocks small enough that a block's kernel data stays in the L1 cache while
  // every candidate is scored against it. Per candidate, a running log-sum-exp: the largest
  // term so far, `top`, is factored out of `sum` so that nothing underflows to log 0; a block
  // with a larger term rescales the sum. Terms more than 80 below the top (e^-80 < 2e-35 of
  // it) are clamped there: single precision's exp stays normal, the sum does not notice.
  constexpr std::size_t kBlock = 256;
  constexpr std::size_t kLanes = 8;  // independent partial maxima and sums: vectorizable
  const std::size_t d = columns_.size();
  std::vector<double> top(count, -kInf), sum(count, 0.0);
  alignas(64) float acc[kBlock];
  for (std::size_t begin = 0; begin < n_; begin += kBlock) {
    const std::size_t len = std::min(kBlock, n_ - begin);
    const std::size_t padded = (len + kLanes - 1) / kLanes * kLanes;
    for (std::size_t c = 0; c < count; ++c) {
      accumulate(xs + c * d, begin, len, acc);
      std::fill(acc + len, acc + padded, -std::numeric_limits<float>::infinity());
      float lane_max[kLanes];
      std::fill(lane_max, lane_max + kLanes, -std::numeric_limits<float>::infinity());
      for (std::size_t i = 0; i < padded; i += kLanes)
        for (std::size_t l = 0; l < kLanes; ++l)
          lane_max[l] = lane_max[l] > acc[i + l] ? lane_max[l] : acc[i + l];
      const double m = *std::max_element(lane_max, lane_max + kLanes);
      if (m > top[c]) {
        sum[c] = top[c] == -kInf ? 0.0 : sum[c] * std::exp(top[c] - m);
        top[c] = m;
      }
      const auto t = static_cast<float>(top[c]);
      for (std::size_t i = 0; i < padded; ++i) acc[i] = std::max(acc[i] - t, -80.0f);
      for (std::size_t i = 0; i < padded; ++i) acc[i] = fast::exp(acc[i]);
      for (std::size_t i = len; i < padded; ++i) acc[i] = 0.0f;
      float lane_sum[kLanes] = {};
      for (std::size_t i = 0; i < padded; i += kLanes)
        for (std::size_t l = 0; l < kLanes; ++l) lane_sum[l] += acc[i + l];
      double block = 0;
      for (float s : lane_sum) block += s;
      sum[c] += block;
    }
  }
  const double log_n = std::log(static_cast<double>(n_));
  for (std::size_t c = 0; c < count; ++c)
    out[c] = std::isfinite(top[c]) ? top[c] + std::log(sum[c]) - log_n : top[c];
}

double Kde::log_density(const double* x) const {
  double out = 0;
  log_density(x, 1, &out);
  return out;
}

void Kde::sample(std::mt19937_64& rng, double bandwidth_factor, double* out) const {
  const std::size_t d = columns_.size();
  const auto i = static_cast<std::size_t>(
      space::uniform_int(rng, 0, static_cast<std::int64_t>(n_) - 1));
  const double* point = points_.data() + i * d;
  Normals normals(rng);
  for (std::size_t j = 0; j < d; ++j) {
    const Column& col = columns_[j];
    const double u = point[j];
    if (std::isnan(u)) {
      out[j] = space::uniform01(rng);
    } else if (col.choices > 1) {
      const std::size_t k = col.choices;
      std::size_t x = choice_of(u, k);
      if (space::uniform01(rng) >= 1.0 - col.bandwidth) {
        // Another choice, uniformly: draw among k - 1 and skip the current one.
        auto other = static_cast<std::size_t>(
            space::uniform_int(rng, 0, static_cast<std::int64_t>(k) - 2));
        x = other >= x ? other + 1 : other;
      }
      out[j] = (static_cast<double>(x) + 0.5) / static_cast<double>(k);
    } else if (col.choices == 1) {
      out[j] = u;
    } else {
      out[j] = truncated_normal(normals, rng, u, col.bandwidth * bandwidth_factor);
    }
  }
}

}  // namespace rungs::optimizers::tpe
