#pragma once
// A prior on one parameter: where the user believes good values lie, and how firmly. Optimizers
// use it to sample (random search, the model-free phase of TPE and the GP) and to weight their
// acquisition (piBO, Hvarfner et al., "piBO: Augmenting Acquisition Functions with User Beliefs
// for Bayesian Optimization", ICLR 2022). Everything here lives on the parameter's [0,1]
// encoding (encoding.hpp), so a prior on a log-scale parameter is a prior on log(value).
//
//  - float / int: a normal distribution truncated to [0,1], with mean u0 = the encoding of
//    `center` and standard deviation `sigma`, a fraction of the encoded range (log range for
//    log scale). This is the prior of PriorBand (Mallik et al., "PriorBand: Practical
//    Hyperparameter Optimization in the Age of Deep Learning", NeurIPS 2023) and NePS. The
//    named confidences are NePS's: low 0.5, medium 0.25, high 0.125, i.e. with `high` about
//    68% of the draws fall within an eighth of the range of the center. Integers use the same
//    density at their slice's centre; a draw is rounded like any decoded value.
//  - categorical: a weight per choice (choices not listed weigh 1); choice c is drawn with
//    probability w_c / sum w. `center: adam, confidence: high` means weight 6 for adam and 1
//    for each other choice (NePS: low 2, medium 4, high 6).
//
// Densities are with respect to the [0,1] encoding: a uniform parameter has density 1 there,
// a categorical choice of probability p has density k p (its slice is 1/k wide), so a
// parameter without a prior, or an inactive one, contributes a factor 1.
//
// This header holds what a prior is (parameter.hpp includes it: a Parameter may carry one);
// prior_density.hpp its density and sampling; SearchSpace checks a prior against its domain.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace rungs::space {

struct NumericPrior {
  double center = 0;     // in the parameter's own units; an int parameter may have a fractional one
  double sigma = 0.25;   // standard deviation on the [0,1] encoding; in [kMinSigma, kMaxSigma]
};

struct ChoicePrior {
  std::map<std::string, double> weights;  // choice -> weight > 0; choices not listed weigh 1
};

using Prior = std::variant<NumericPrior, ChoicePrior>;

// Sigma's allowed range: narrower than a thousandth of the range would make the prior a point
// mass that piBO's decay takes thousands of observations to forget; wider than the range is no
// belief at all.
inline constexpr double kMinSigma = 1e-3;
inline constexpr double kMaxSigma = 1.0;

enum class Confidence { low, medium, high };

// "low", "medium", "high"; nullopt for another name.
std::optional<Confidence> confidence_named(std::string_view name);
// NePS's values: the numeric sigma (0.5, 0.25, 0.125) and the categorical centre's weight (2, 4, 6).
double sigma_of(Confidence confidence);
double center_weight_of(Confidence confidence);

// The prior "centre at `choice`" for a categorical.
ChoicePrior centered_on(const std::string& choice, Confidence confidence);

// "centre 0.0003, sigma 0.125", "weights adam 3, sgd 1": for messages and `rungs status`.
std::string describe(const Prior& prior);

}  // namespace rungs::space
