// `prior:` in the `space:` section (campaign/yaml_prior.hpp): the documented forms parse to
// the priors they say, and every bad prior is a ConfigError at the node to fix.
#include <doctest/doctest.h>

#include <string>

#include "campaign/yaml_space.hpp"

using namespace rungs;
using campaign::ConfigError;
using campaign::YamlNode;

namespace {

space::SearchSpace parse(const std::string& text) {
  return campaign::read_search_space(YamlNode::load_string(text, "campaign.yaml").at("space"));
}

ConfigError parse_error(const std::string& text) {
  try {
    parse(text);
  } catch (const ConfigError& e) {
    return e;
  }
  FAIL("expected a ConfigError");
  throw std::logic_error("unreachable");
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("yaml_prior: the documented forms parse") {
  const auto space = parse(R"(space:
  lr:        {type: float, low: 1.0e-5, high: 1, log: true, prior: {center: 3.0e-4, confidence: high}}
  layers:    {type: int, low: 1, high: 8, prior: {center: 3}}
  width:     {type: float, low: 0, high: 1, prior: {center: 0.5, confidence: 0.1}}
  optimizer: {type: categorical, choices: [sgd, adam], prior: {weights: {adam: 3, sgd: 1}}}
  act:       {type: categorical, choices: [relu, gelu, tanh], prior: {center: gelu, confidence: high}}
  plain:     {type: float, low: 0, high: 1}
)");
  CHECK(space.has_prior());
  const auto numeric = [&](const char* name) { return std::get<space::NumericPrior>(*space.find(name)->prior); };
  CHECK(numeric("lr").center == 3e-4);
  CHECK(numeric("lr").sigma == 0.125);
  CHECK(numeric("layers").center == 3);
  CHECK(numeric("layers").sigma == 0.25);  // medium, the default
  CHECK(numeric("width").sigma == 0.1);
  const auto weights = [&](const char* name) { return std::get<space::ChoicePrior>(*space.find(name)->prior).weights; };
  CHECK(weights("optimizer") == std::map<std::string, double>{{"adam", 3}, {"sgd", 1}});
  CHECK(weights("act") == std::map<std::string, double>{{"gelu", 6}});
  CHECK_FALSE(space.find("plain")->prior.has_value());
}

TEST_CASE("yaml_prior: a bad prior is an error at the node to fix") {
  // The centre outside the range: SearchSpace's check, located at the centre.
  auto e = parse_error(R"(space:
  lr: {type: float, low: 1.0e-5, high: 1, log: true, prior: {center: 3, confidence: high}}
)");
  CHECK(e.key_path() == "space.lr.prior.center");
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 70);
  CHECK(mentions(e.what(), "outside"));

  e = parse_error(R"(space:
  lr: {type: float, low: 0, high: 1, prior: {center: 0.5, confidence: sure}}
)");
  CHECK(e.key_path() == "space.lr.prior.confidence");
  CHECK(mentions(e.what(), "low, medium, high"));

  e = parse_error(R"(space:
  lr: {type: float, low: 0, high: 1, prior: {center: 0.5, confidence: 5}}
)");
  CHECK(e.key_path() == "space.lr.prior.confidence");
  CHECK(mentions(e.what(), "[0.001, 1]"));

  e = parse_error(R"(space:
  lr: {type: float, low: 0, high: 1, prior: {confidence: high}}
)");
  CHECK(mentions(e.what(), "center"));

  e = parse_error(R"(space:
  lr: {type: float, low: 0, high: 1, prior: {center: 0.5, sigma: 0.1}}
)");
  CHECK(e.key_path() == "space.lr.prior.sigma");

  e = parse_error(R"(space:
  lr: {type: float, low: 0, high: 1, prior: {weights: {a: 1}}}
)");
  CHECK(e.key_path() == "space.lr.prior.weights");

  e = parse_error(R"(space:
  o: {type: categorical, choices: [sgd, adam], prior: {weights: {adamw: 3}}}
)");
  CHECK(e.key_path() == "space.o.prior.weights.adamw");
  CHECK(e.where().line == 2);
  CHECK(mentions(e.what(), "not a choice"));

  e = parse_error(R"(space:
  o: {type: categorical, choices: [sgd, adam], prior: {weights: {adam: 0}}}
)");
  CHECK(e.key_path() == "space.o.prior.weights.adam");

  e = parse_error(R"(space:
  o: {type: categorical, choices: [sgd, adam], prior: {center: adamw, confidence: high}}
)");
  CHECK(e.key_path() == "space.o.prior.center");
  CHECK(mentions(e.what(), "choices: sgd, adam"));

  e = parse_error(R"(space:
  o: {type: categorical, choices: [sgd, adam], prior: {center: adam, confidence: 0.2}}
)");
  CHECK(e.key_path() == "space.o.prior.confidence");

  e = parse_error(R"(space:
  o: {type: categorical, choices: [sgd, adam], prior: {center: adam, weights: {adam: 2}}}
)");
  CHECK(e.key_path() == "space.o.prior.center");

  e = parse_error(R"(space:
  o: {type: categorical, choices: [sgd, adam], prior:}
)");
  CHECK(e.key_path() == "space.o.prior");
}

TEST_CASE("yaml_prior: priors on conditional parameters") {
  const auto space = parse(R"(space:
  optimizer: {type: categorical, choices: [sgd, adam]}
  momentum:  {type: float, low: 0.0, high: 0.99, when: {optimizer: sgd}, prior: {center: 0.9}}
)");
  std::mt19937_64 rng(1);
  for (int i = 0; i < 50; ++i) CHECK_NOTHROW(space.validate(space.sample_prior(rng)));
}
