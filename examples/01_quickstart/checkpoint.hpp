// checkpoint.hpp: the trainer's checkpoint file, written atomically.
//
// Layout (native byte order, little-endian on every machine rungs targets):
//   char[8] "RUNGSQS1"; u32 version; u32 inputs, hidden, outputs, activation, optimizer;
//   u64 epochs_done, optimizer steps; f64 data_fraction; u64 n;
//   f64[n] theta, f64[n] m, f64[n] v; u32 crc32 of all preceding bytes.
// Doubles are stored bit-exactly, so "3 epochs, then resume to 9" gives the same weights
// as 9 epochs in one go.
#pragma once

#include <zlib.h>

#include <Eigen/Dense>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "mlp.hpp"

namespace quickstart {

struct Checkpoint {
  std::uint32_t inputs = 0, hidden = 0, outputs = 0;
  Activation activation = Activation::relu;
  OptimizerKind optimizer = OptimizerKind::adam;
  std::uint64_t epochs_done = 0;
  double data_fraction = 1.0;
  Eigen::VectorXd theta;
  OptimizerState state;
};

namespace detail {
inline constexpr char magic[8] = {'R', 'U', 'N', 'G', 'S', 'Q', 'S', '1'};
inline constexpr std::uint32_t version = 1;

template <class T>
void put(std::vector<char>& out, const T& value) {
  const char* p = reinterpret_cast<const char*>(&value);
  out.insert(out.end(), p, p + sizeof(T));
}
inline void put(std::vector<char>& out, const Eigen::VectorXd& v) {
  const char* p = reinterpret_cast<const char*>(v.data());
  out.insert(out.end(), p, p + sizeof(double) * static_cast<std::size_t>(v.size()));
}

struct Reader {
  const std::vector<char>& bytes;
  std::size_t pos = 0;
  template <class T>
  T get() {
    T value;
    need(sizeof(T));
    std::memcpy(&value, bytes.data() + pos, sizeof(T));
    pos += sizeof(T);
    return value;
  }
  Eigen::VectorXd get_vector(std::uint64_t n) {
    need(n * sizeof(double));
    Eigen::VectorXd v(static_cast<Eigen::Index>(n));
    std::memcpy(v.data(), bytes.data() + pos, n * sizeof(double));
    pos += n * sizeof(double);
    return v;
  }
  void need(std::size_t n) const {
    if (n > bytes.size() - pos) throw std::runtime_error("checkpoint is truncated");
  }
};

inline std::uint32_t crc(const char* data, std::size_t n) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(n)));
}
}  // namespace detail

// Writes to "<path>.tmp" then renames over <path>: rename is atomic on POSIX, so a trial
// killed mid-write (SIGTERM/SIGKILL from rungs) leaves the previous checkpoint intact.
// No fsync: it would cost more than an epoch, and losing the newest epoch on power loss only
// means retraining it (ext4/xfs also flush data before a replacing rename is committed).
inline void save_checkpoint(const std::filesystem::path& path, const Checkpoint& c) {
  std::vector<char> out;
  out.insert(out.end(), std::begin(detail::magic), std::end(detail::magic));
  detail::put(out, detail::version);
  detail::put(out, c.inputs);
  detail::put(out, c.hidden);
  detail::put(out, c.outputs);
  detail::put(out, static_cast<std::uint32_t>(c.activation));
  detail::put(out, static_cast<std::uint32_t>(c.optimizer));
  detail::put(out, c.epochs_done);
  detail::put(out, c.state.steps);
  detail::put(out, c.data_fraction);
  detail::put(out, static_cast<std::uint64_t>(c.theta.size()));
  if (c.state.m.size() != c.theta.size() || c.state.v.size() != c.theta.size()) {
    throw std::logic_error("optimizer state does not match the parameter count");
  }
  detail::put(out, c.theta);
  detail::put(out, c.state.m);
  detail::put(out, c.state.v);
  detail::put(out, detail::crc(out.data(), out.size()));

  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    f.close();
    if (!f) throw std::runtime_error("cannot write checkpoint '" + tmp.string() + "'");
  }
  std::filesystem::rename(tmp, path);
}

// std::nullopt when there is no checkpoint; throws std::runtime_error when one exists but is
// unreadable (wrong magic or version, truncated, checksum mismatch).
inline std::optional<Checkpoint> load_checkpoint(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return std::nullopt;
  std::ifstream f(path, std::ios::binary);
  const std::vector<char> bytes{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  if (!f.eof() && f.fail()) throw std::runtime_error("cannot read checkpoint");
  if (bytes.size() < sizeof detail::magic + 4 ||
      std::memcmp(bytes.data(), detail::magic, sizeof detail::magic) != 0) {
    throw std::runtime_error("not a quickstart checkpoint");
  }
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + bytes.size() - 4, 4);
  if (stored_crc != detail::crc(bytes.data(), bytes.size() - 4)) {
    throw std::runtime_error("checkpoint checksum mismatch");
  }
  detail::Reader r{bytes, sizeof detail::magic};
  if (r.get<std::uint32_t>() != detail::version) {
    throw std::runtime_error("unsupported checkpoint version");
  }
  Checkpoint c;
  c.inputs = r.get<std::uint32_t>();
  c.hidden = r.get<std::uint32_t>();
  c.outputs = r.get<std::uint32_t>();
  c.activation = static_cast<Activation>(r.get<std::uint32_t>());
  c.optimizer = static_cast<OptimizerKind>(r.get<std::uint32_t>());
  c.epochs_done = r.get<std::uint64_t>();
  c.state.steps = r.get<std::uint64_t>();
  c.data_fraction = r.get<double>();
  const auto n = r.get<std::uint64_t>();
  if (n > (bytes.size() / sizeof(double))) throw std::runtime_error("checkpoint is truncated");
  c.theta = r.get_vector(n);
  c.state.m = r.get_vector(n);
  c.state.v = r.get_vector(n);
  if (r.pos + 4 != bytes.size()) throw std::runtime_error("checkpoint has trailing bytes");
  return c;
}

}  // namespace quickstart
