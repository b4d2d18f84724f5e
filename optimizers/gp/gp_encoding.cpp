#include "optimizers/gp/gp_encoding.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace rungs::optimizers::gp {

namespace {
const double kRho = 1 / std::numbers::sqrt2;
}

FeatureMap::FeatureMap(const space::SearchSpace& space) {
  Eigen::Index next = 0;
  for (const space::Parameter& p : space.parameters()) {
    Block block{Kind::numeric, next, 0};
    Eigen::Index width = 1;
    if (const auto* c = std::get_if<space::CategoricalDomain>(&p.domain)) {
      block.kind = Kind::categorical;
      block.choices = c->choices.size();
      width = static_cast<Eigen::Index>(c->choices.size());
    } else if (p.is_conditional()) {
      block.kind = Kind::conditional_numeric;
      width = 2;
    }
    const auto group = static_cast<Eigen::Index>(blocks_.size());
    for (Eigen::Index f = 0; f < width; ++f) groups_.push_back(group);
    blocks_.push_back(block);
    next += width;
  }
}

Eigen::VectorXd FeatureMap::operator()(const Eigen::VectorXd& encoded) const {
  Eigen::MatrixXd out(1, features());
  write(encoded, out, 0);
  return out.row(0).transpose();
}

void FeatureMap::write(const Eigen::VectorXd& encoded, Eigen::MatrixXd& out, Eigen::Index row) const {
  if (encoded.size() != groups())
    throw std::invalid_argument(
        fmt::format("FeatureMap: encoded point has {} coordinates, the space {}", encoded.size(), groups()));
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    const Block& b = blocks_[i];
    const double u = encoded[static_cast<Eigen::Index>(i)];
    const bool active = !std::isnan(u);
    switch (b.kind) {
      case Kind::numeric:
        // Unconditional: always active in an encoded configuration; 0.5 guards a stray NaN.
        out(row, b.first) = active ? std::clamp(u, 0.0, 1.0) : 0.5;
        break;
      case Kind::conditional_numeric: {
        const double angle = active ? std::numbers::pi / 2 * std::clamp(u, 0.0, 1.0) : 0.0;
        out(row, b.first) = active ? kRho * std::cos(angle) : 0.0;
        out(row, b.first + 1) = active ? kRho * std::sin(angle) : 0.0;
        break;
      }
      case Kind::categorical: {
        const auto k = static_cast<Eigen::Index>(b.choices);
        out.row(row).segment(b.first, k).setZero();
        if (active) {
          const auto c = std::clamp(static_cast<Eigen::Index>(std::floor(u * static_cast<double>(k))),
                                    Eigen::Index{0}, k - 1);
          out(row, b.first + c) = kRho;
        }
        break;
      }
    }
  }
}

}  // namespace rungs::optimizers::gp
