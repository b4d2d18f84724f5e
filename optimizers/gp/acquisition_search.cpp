#include "optimizers/gp/acquisition_search.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <stdexcept>

#include "space/sampling.hpp"

namespace rungs::optimizers::gp {

namespace {

// Standard normal from the raw engine (Box-Muller): reproducible across standard libraries.
double standard_normal(std::mt19937_64& rng) {
  const double u1 = 1 - space::uniform01(rng);  // (0, 1]
  const double u2 = space::uniform01(rng);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

Proposal from_config(const space::SearchSpace& space, space::Config config) {
  Proposal p;
  p.encoded = space.encode(config);
  p.config = std::move(config);
  return p;
}

// One-parameter change of `from`, decoded and re-encoded.
Proposal neighbour(const space::SearchSpace& space, const Proposal& from, double step, std::mt19937_64& rng) {
  const auto& params = space.parameters();
  std::vector<std::size_t> movable;
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (std::isnan(from.encoded[static_cast<Eigen::Index>(i)])) continue;
    const auto* c = std::get_if<space::CategoricalDomain>(&params[i].domain);
    if (!c || c->choices.size() > 1) movable.push_back(i);
  }
  if (movable.empty()) return from_config(space, space.sample(rng));

  Eigen::VectorXd point = from.encoded;
  const auto pick = movable[static_cast<std::size_t>(
      space::uniform_int(rng, 0, static_cast<std::int64_t>(movable.size()) - 1))];
  const auto i = static_cast<Eigen::Index>(pick);
  if (const auto* c = std::get_if<space::CategoricalDomain>(&params[pick].domain)) {
    const auto k = static_cast<std::int64_t>(c->choices.size());
    const auto current = std::clamp(static_cast<std::int64_t>(std::floor(point[i] * static_cast<double>(k))),
                                    std::int64_t{0}, k - 1);
    std::int64_t other = space::uniform_int(rng, 0, k - 2);
    if (other >= current) ++other;
    point[i] = (static_cast<double>(other) + 0.5) / static_cast<double>(k);
  } else {
    point[i] = std::clamp(point[i] + step * standard_normal(rng), 0.0, 1.0);
  }
  // Parameters the change activates need a value: a random one, as sampling would give.
  for (Eigen::Index j = 0; j < point.size(); ++j)
    if (std::isnan(point[j])) point[j] = space::uniform01(rng);
  return from_config(space, space.decode(point));
}

Eigen::VectorXd score_all(const BatchScore& score, const std::vector<Proposal>& proposals, Eigen::Index dim) {
  Eigen::MatrixXd encoded(static_cast<Eigen::Index>(proposals.size()), dim);
  for (std::size_t r = 0; r < proposals.size(); ++r)
    encoded.row(static_cast<Eigen::Index>(r)) = proposals[r].encoded.transpose();
  Eigen::VectorXd scores = score(encoded);
  if (scores.size() != encoded.rows())
    throw std::logic_error("maximize_acquisition: the score function returned the wrong number of scores");
  // NaN would poison every comparison: rank it below everything.
  return scores.unaryExpr([](double s) { return std::isnan(s) ? -HUGE_VAL : s; });
}

}  // namespace

Proposal maximize_acquisition(const space::SearchSpace& space, const BatchScore& score,
                              const std::vector<Eigen::VectorXd>& seeds, const SearchOptions& options,
                              std::mt19937_64& rng) {
  if (space.empty()) throw std::invalid_argument("maximize_acquisition: empty search space");
  const auto dim = static_cast<Eigen::Index>(space.dimension());

  std::vector<Proposal> pool;
  pool.reserve(seeds.size() + options.candidates);
  for (const Eigen::VectorXd& s : seeds) pool.push_back(from_config(space, space.decode(s)));
  // With priors every other candidate comes from them, so the region piBO favours is searched
  // as densely as the rest (prior_weighting.hpp).
  for (std::size_t k = 0; k < std::max<std::size_t>(options.candidates, 1); ++k)
    pool.push_back(from_config(space, space.has_prior() && k % 2 == 1 ? space.sample_prior(rng) : space.sample(rng)));
  const Eigen::VectorXd pool_scores = score_all(score, pool, dim);
  for (std::size_t k = 0; k < pool.size(); ++k) pool[k].score = pool_scores[static_cast<Eigen::Index>(k)];

  // The winner so far: ties keep the earlier proposal.
  std::size_t best_k = 0;
  for (std::size_t k = 1; k < pool.size(); ++k)
    if (pool[k].score > pool[best_k].score) best_k = k;
  Proposal best = pool[best_k];

  // Starts: every seed, then the best candidates.
  std::vector<std::size_t> order(pool.size() - seeds.size());
  std::iota(order.begin(), order.end(), seeds.size());
  const std::size_t top = std::min(options.starts, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(top), order.end(),
                    [&](std::size_t a, std::size_t b) {
                      return pool[a].score > pool[b].score || (pool[a].score == pool[b].score && a < b);
                    });
  std::vector<Proposal> current;
  for (std::size_t k = 0; k < seeds.size(); ++k) current.push_back(pool[k]);
  for (std::size_t k = 0; k < top; ++k) current.push_back(pool[order[k]]);
  std::vector<double> step(current.size(), options.step_size);

  for (std::size_t round = 0; round < options.steps && options.neighbors > 0 && !current.empty(); ++round) {
    std::vector<Proposal> proposals;
    proposals.reserve(current.size() * options.neighbors);
    for (std::size_t s = 0; s < current.size(); ++s)
      for (std::size_t n = 0; n < options.neighbors; ++n) proposals.push_back(neighbour(space, current[s], step[s], rng));
    const Eigen::VectorXd scores = score_all(score, proposals, dim);
    for (std::size_t s = 0; s < current.size(); ++s) {
      std::size_t arg = s * options.neighbors;
      for (std::size_t n = arg + 1; n < (s + 1) * options.neighbors; ++n)
        if (scores[static_cast<Eigen::Index>(n)] > scores[static_cast<Eigen::Index>(arg)]) arg = n;
      const double value = scores[static_cast<Eigen::Index>(arg)];
      if (value > current[s].score) {
        current[s] = std::move(proposals[arg]);
        current[s].score = value;
        if (value > best.score) best = current[s];
      } else {
        step[s] = std::max(step[s] * 0.5, 1e-4);
      }
    }
  }
  return best;
}

}  // namespace rungs::optimizers::gp
