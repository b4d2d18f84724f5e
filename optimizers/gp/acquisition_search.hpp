#pragma once
// Maximizing an acquisition function over a search space with conditions, integers and
// categoricals, where gradients are of little use (the encoding is piecewise constant in
// ints and choices, and conditions switch coordinates on and off):
//
//  1. `candidates` random configurations from the space (space.sample, conditions respected;
//     with user priors every other one from space.sample_prior), plus the `seeds` given (the
//     best observed points);
//  2. all scored in one batch (one matrix solve for the GP's variances, not one per point);
//  3. local search from every seed and from the `starts` best candidates, for `steps` rounds:
//     each round proposes `neighbors` one-parameter changes per start (a float or int moves
//     by a Gaussian step of sd `step_size` on [0,1], halved each round that finds nothing
//     better; a categorical flips to another choice, drawn uniformly), scores them as one
//     batch and moves each start to its best neighbour if that improves.
//     SMAC's local search (Hutter, Hoos & Leyton-Brown, LION 2011) works the same way.
//
// Every proposal goes through space.decode and back through space.encode, so what is scored
// is exactly a configuration the space can produce: ints and choices snapped, parameters
// activated or deactivated by their parents' values (a newly active one starts at a random
// value), and the returned Config sets every active parameter and no inactive one.
//
// Deterministic for an engine state; scores may be -inf (never chosen over a finite one);
// ties go to the earliest proposal.
#include <Eigen/Core>

#include <cstddef>
#include <functional>
#include <random>
#include <vector>

#include "space/search_space.hpp"

namespace rungs::optimizers::gp {

struct SearchOptions {
  std::size_t candidates = 1000;
  std::size_t starts = 3;     // besides the seeds
  std::size_t steps = 20;
  std::size_t neighbors = 4;  // per start and round
  double step_size = 0.1;
};

// Scores of the rows of `encoded` (m x dimension, SearchSpace::encode points): m values,
// larger is better.
using BatchScore = std::function<Eigen::VectorXd(const Eigen::MatrixXd& encoded)>;

struct Proposal {
  space::Config config;
  Eigen::VectorXd encoded;
  double score = 0;
};

// Requires a non-empty space. `seeds` are encoded points (SearchSpace::encode).
Proposal maximize_acquisition(const space::SearchSpace& space, const BatchScore& score,
                              const std::vector<Eigen::VectorXd>& seeds, const SearchOptions& options,
                              std::mt19937_64& rng);

}  // namespace rungs::optimizers::gp
