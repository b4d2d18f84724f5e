// data.hpp: loading the digits data (csv.gz) and the fixed train/validation split.
#pragma once

#include <zlib.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace quickstart {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

inline constexpr int n_features = 64;  // 8x8 pixels, values 0-16
inline constexpr int n_classes = 10;

struct Dataset {
  RowMatrix x;              // one sample per row, features scaled to [0, 1]
  std::vector<int> labels;  // 0-9
  Eigen::Index rows() const { return x.rows(); }
};

// splitmix64 (Steele et al. 2014): turns (seed, stream) pairs into well-mixed 64-bit seeds,
// so per-epoch shuffles can be derived from the epoch number alone (see trainer.cpp).
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Fisher-Yates with our own index draw: std::shuffle and std::uniform_int_distribution are
// implementation-defined, and the split must be identical with every standard library.
// (The modulo bias is below 1e-15 for these sizes.)
template <class Engine>
void shuffle_indices(std::vector<Eigen::Index>& idx, Engine& engine) {
  for (std::size_t i = idx.size(); i > 1; --i) {
    const std::size_t j = static_cast<std::size_t>(engine() % i);
    std::swap(idx[i - 1], idx[j]);
  }
}

// Reads "f0,...,f63,label" lines with zlib (gzgets also reads uncompressed files).
inline Dataset load_digits(const std::string& path) {
  std::unique_ptr<gzFile_s, int (*)(gzFile)> file(gzopen(path.c_str(), "rb"), &gzclose);
  if (!file) throw std::runtime_error("cannot open data file '" + path + "'");

  std::vector<double> values;
  std::vector<int> labels;
  char line[4096];
  for (int line_no = 1; gzgets(file.get(), line, sizeof line) != nullptr; ++line_no) {
    const char* p = line;
    while (*p == ' ' || *p == '\t') ++p;
    if (*p == '\n' || *p == '\r' || *p == '\0') continue;  // blank line
    auto fail = [&](const std::string& what) {
      return std::runtime_error(path + ":" + std::to_string(line_no) + ": " + what);
    };
    for (int field = 0; field <= n_features; ++field) {
      char* end = nullptr;
      errno = 0;
      const double v = std::strtod(p, &end);
      if (end == p || errno != 0 || !std::isfinite(v)) {
        throw fail("field " + std::to_string(field + 1) + " is not a number");
      }
      p = end;
      if (field < n_features) {
        if (*p != ',') throw fail("expected 65 comma-separated fields");
        ++p;
        values.push_back(v / 16.0);  // pixel counts 0-16 -> [0, 1]
      } else {
        if (v != std::floor(v) || v < 0 || v >= n_classes) {
          throw fail("label must be an integer 0-9");
        }
        labels.push_back(static_cast<int>(v));
      }
    }
    while (*p == ' ' || *p == '\r' || *p == '\n') ++p;
    if (*p != '\0') throw fail("trailing characters after the label");
  }
  int gz_error = Z_OK;
  gzerror(file.get(), &gz_error);
  if (gz_error != Z_OK && gz_error != Z_STREAM_END) {
    throw std::runtime_error("cannot read data file '" + path + "' (corrupt gzip?)");
  }
  if (labels.empty()) throw std::runtime_error("data file '" + path + "' has no rows");

  Dataset data;
  data.x = Eigen::Map<RowMatrix>(values.data(), static_cast<Eigen::Index>(labels.size()),
                                 n_features);
  data.labels = std::move(labels);
  return data;
}

inline Dataset take_rows(const Dataset& data, const std::vector<Eigen::Index>& rows) {
  Dataset out;
  out.x = data.x(rows, Eigen::all);
  out.labels.reserve(rows.size());
  for (auto r : rows) out.labels.push_back(data.labels[static_cast<std::size_t>(r)]);
  return out;
}

struct Split {
  Dataset train;
  Dataset validation;
};

// 70% train / 30% validation after a shuffle with a fixed seed: every trial, whatever its
// own --seed, is scored on the same validation rows, so their values are comparable.
// The training rows stay in that shuffled order, so the first `fraction` of them is a random
// subset, and a larger fraction contains every smaller one (nested subsets: a promoted trial
// that warm-starts on more data keeps the rows it was trained on).
inline Split split_digits(const Dataset& all, double train_share = 0.7) {
  constexpr std::uint64_t split_seed = 0x5eed'd161'75ULL;  // fixed on purpose, never --seed
  std::vector<Eigen::Index> order(static_cast<std::size_t>(all.rows()));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::mt19937_64 engine(split_seed);
  shuffle_indices(order, engine);
  const auto n_train = static_cast<std::size_t>(std::llround(train_share * double(order.size())));
  return {take_rows(all, {order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_train)}),
          take_rows(all, {order.begin() + static_cast<std::ptrdiff_t>(n_train), order.end()})};
}

// The first ceil(fraction * n) training rows (at least one).
inline Eigen::Index fraction_rows(Eigen::Index n, double fraction) {
  const auto k = static_cast<Eigen::Index>(std::ceil(fraction * double(n) - 1e-9));
  return std::clamp<Eigen::Index>(k, 1, n);
}

}  // namespace quickstart
