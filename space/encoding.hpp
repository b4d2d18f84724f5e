#pragma once
// The [0,1] encoding of one value: what model-based optimizers (TPE kernels, GP kernels)
// work on, so that every parameter has the same scale whatever its units.
//
//  - float:        u = (x - low) / (high - low), with log x, log low, log high for log scale.
//  - int:          the same on [low - 0.5, high + 0.5]: u = (x - low + 0.5) / (high - low + 1)
//                  (logs for log scale). Each integer owns an equal slice of [0,1] (an equal
//                  slice in log space for log scale), and encodes to the slice's centre.
//  - categorical:  u = (index + 0.5) / k for the index-th of k choices: equal slices again,
//                  and well defined for k = 1 (index / (k - 1) is not). The order of choices
//                  carries no meaning: models that treat categoricals properly (TPE's
//                  Aitchison-Aitken kernel) should use the index, `choice_index`, instead.
//
// decode_value is the inverse: it clamps u to [0,1], then maps back, rounding ints to the
// nearest integer and picking the categorical slice u falls in. decode(encode(x)) == x
// exactly for ints and categoricals, and to within rounding for floats (clamped to the
// bounds), so optimizers may propose any point of [0,1] and get a valid value.
#include <cstddef>

#include "space/parameter.hpp"

namespace rungs::space {

// Requires contains(domain, value); throws SpaceError (empty parameter) otherwise.
double encode_value(const Domain& domain, const Value& value);

// The position of a number x on a float or int domain's [0,1] encoding, as above but for any
// real x (an int domain's x need not be whole), clamped to [0,1]; for log scale x must be > 0.
// Throws SpaceError for a categorical domain.
double encode_number(const Domain& domain, double x);

// Requires u not NaN (infinities clamp); throws SpaceError (empty parameter) on NaN.
Value decode_value(const Domain& domain, double u);

// Position of `choice` in the domain's list, or throws SpaceError when it is not a choice.
std::size_t choice_index(const CategoricalDomain& domain, const std::string& choice);

}  // namespace rungs::space
