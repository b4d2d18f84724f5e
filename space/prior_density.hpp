#pragma once
// A prior's density and draws on a parameter's [0,1] encoding (prior.hpp says what the prior
// is). Used by SearchSpace (sample_prior, log_prior) and through it by the optimizers.
#include <random>

#include "space/parameter.hpp"

namespace rungs::space {

// The centre's position on [0,1] (numeric domains, clamped), or for a categorical prior the
// centre of the heaviest choice's slice (the first of equals).
double prior_center_unit(const Domain& domain, const Prior& prior);

// log of the prior's density at u in [0,1] (not NaN), relative to the encoding (prior.hpp).
// Requires a prior that fits the domain (SearchSpace's constructor checks that).
double prior_log_density(const Domain& domain, const Prior& prior, double u);

// A draw from the prior as a coordinate on [0,1] (decode_value turns it into a value).
// Numeric: the truncated normal by rejection from the normal (at least a third of the normal's
// mass lies in [0,1] since sigma <= 1, so about 3 draws at worst); categorical: the choice's
// slice centre. Built on the engine's bits (sampling.hpp), so reproducible across libraries.
double sample_prior_unit(const Domain& domain, const Prior& prior, std::mt19937_64& rng);

// Whether `prior` fits `domain`; throws SpaceError(name, field, ...) naming the field to fix
// ("prior.center", "prior.confidence", "prior.weights.adam") otherwise: a numeric prior on a
// categorical or the reverse, a centre outside [low, high], sigma outside [kMinSigma,
// kMaxSigma], a weight for an unknown choice, a weight that is not a finite number > 0.
void check_prior(const std::string& name, const Domain& domain, const Prior& prior);

}  // namespace rungs::space
