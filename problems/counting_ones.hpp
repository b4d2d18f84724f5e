#pragma once
// Counting Ones (Falkner, Klein, Hutter, "BOHB: Robust and Efficient Hyperparameter
// Optimization at Scale", ICML 2018, Section 5.1): a mixed space where the budget is the
// number of samples an estimate is made from, i.e. a fidelity with noise but no bias.
//
//   x = (x_cat, x_cont) in {0,1}^Ncat x [0,1]^Ncont
//   f_b(x) = -( sum_i x_cat_i + sum_j (1/b) sum_{k=1..b} B_jk ),   B_jk ~ Bernoulli(x_cont_j)
//
// E[f_b(x)] = -(sum x_cat + sum x_cont) at every b; the variance, sum_j x_j (1 - x_j) / b,
// shrinks with the budget. Optimum -(Ncat + Ncont) at all ones (noise-free there: a Bernoulli(1)
// draw is always 1). As in the paper, b = number of draws in [9, 729] with eta = 3 (five levels:
// 9, 27, 81, 243, 729 draws; budget units = draws); the paper's variants have 4+4 and 8+8
// dimensions (registry: counting_ones_8, counting_ones_16).
//
// Parameters: cat0..cat{Ncat-1}, categorical with choices "0" and "1" (the paper's
// categorical dimensions), and cont0..cont{Ncont-1}, floats in [0,1]. Ladder dimension "draws"
// (integer, fixed growth: a promoted run draws afresh).
// The draws use space::uniform01 (B = [u < x]), so a seed gives the same values everywhere.
#include <cstddef>
#include <random>

#include "problems/problem.hpp"

namespace rungs::problems {

Problem counting_ones(std::size_t n_categorical, std::size_t n_continuous);

// For a valid configuration of counting_ones(..)'s space: -(sum x_cat + sum over x_cont of the
// mean of `draws` Bernoulli(x) draws), draws >= 1. Continuous parameters draw in name order.
double counting_ones_value(const space::Config& config, std::size_t draws, std::mt19937_64& rng);
// The expectation -(sum x_cat + sum x_cont).
double counting_ones_expected(const space::Config& config);

}  // namespace rungs::problems
