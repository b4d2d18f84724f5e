#pragma once
// How the optimizers use the priors a search space carries (space/prior.hpp). Two rules:
//
//  1. Sampling: whenever an optimizer draws a configuration without a model (random search,
//     TPE and the GP before any level can be modelled), it draws from the priors with
//     probability kPriorShare and uniformly otherwise. Once a level is modelled, TPE's and
//     the GP's random_fraction draws stay uniform: they are BOHB's guard against a misleading
//     model, and must guard against a misleading prior too (measured: with the mix there, a
//     prior far from the optimum kept a sixth of TPE's late suggestions at its centre). This is the
//     prior/uniform part of PriorBand's sampling (Mallik et al., NeurIPS 2023, which starts
//     at an even split at the lowest fidelity). An even split bounds what a misleading prior
//     costs model-free search: half the draws are exactly those of random search, so it needs
//     at most about twice as many draws as random search to hit a region, while a good prior
//     puts half of the draws near the optimum.
//  2. Acquisition (piBO: Hvarfner, Stoll, Souza, Lindauer, Hutter & Nardi, "piBO: Augmenting
//     Acquisition Functions with User Beliefs for Bayesian Optimization", ICLR 2022): a
//     candidate x is ranked by
//         a(x) * pi(x)^(beta / n)
//     with a the acquisition (TPE: l(x)/g(x); GP: EI), pi the density of the draws of rule 1,
//     pi(x) = kPriorShare p(x) + (1 - kPriorShare) with p the priors' density (the uniform's is
//     1 on the encoding), n the number of
//     observations at the modelled budget level and beta = kPiboBeta = 10 (the paper's value
//     for its experiments). In logs: log a(x) + (beta / n) log pi(x). While n is small the
//     prior steers the search; as observations accumulate its exponent goes to 0 and the
//     model alone decides, so a wrong prior is forgotten (the paper proves the convergence
//     rate of EI is kept). For the GP's LCB, whose score is not a log, the same term is added
//     to -LCB (in standardized target units): a penalty that decays the same way, not in the
//     paper.
//     Weighting by the mixture rather than by p itself bounds what a wrong prior costs: log pi
//     is at least log(1 - kPriorShare) everywhere, where log p falls quadratically, by about
//     d z^2 / 2 nats z standard deviations from the centre in d parameters, which 10 / n
//     forgets only after thousands of observations (measured with p: a confident prior at the
//     far corner of Hartmann-6 made BOHB need 7 times the budget of no prior).
// Without priors (SearchSpace::has_prior() false) both rules change nothing, not even the
// random stream: no coin is drawn.
#include <cstddef>
#include <random>

#include "space/search_space.hpp"

namespace rungs::optimizers {

inline constexpr double kPriorShare = 0.5;
inline constexpr double kPiboBeta = 10.0;

// A configuration from the prior/uniform mix of rule 1 (space.sample(rng) without priors), the
// prior's share `share` (random search lowers it as evidence against the prior grows:
// prior_evidence.hpp); *from_prior, if given, tells which one drew it.
space::Config sample_with_prior(const space::SearchSpace& space, std::mt19937_64& rng, double share = kPriorShare,
                                bool* from_prior = nullptr);

// log pi(x) of rule 2 at an encoded point (dimension() values, NaN = inactive); 0 without priors.
double log_search_prior(const space::SearchSpace& space, const double* encoded);

// The exponent beta / n of rule 2; 0 without priors or without observations (n = 0).
double prior_exponent(const space::SearchSpace& space, std::size_t observations);

}  // namespace rungs::optimizers
