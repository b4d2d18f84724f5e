// The `space:` section of a campaign file: parsing, and every error located at the exact
// line, column and key path of the node to fix.
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

bool mentions(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("yaml_space: the documented example parses, in file order, typed") {
  const auto space = parse(R"(space:
  optimizer: {type: categorical, choices: [sgd, adam]}
  lr:        {type: float, low: 1.0e-3, high: 1.0, log: true}
  momentum:  {type: float, low: 0.0, high: 0.99, when: {optimizer: sgd}}
  beta1:     {type: float, low: 0.8, high: 0.999, when: {optimizer: adam}}
  hidden:    {type: int, low: 16, high: 128, log: true}
  width2:    {type: int, low: 8, high: 64, when: {layers: [2, 3]}}
  layers:
    type: int
    low: 1
    high: 3
  dropout:   {type: categorical, choices: [0.0, 0.5, true]}
)");
  REQUIRE(space.dimension() == 8);
  std::vector<std::string> names;
  for (const auto& p : space.parameters()) names.push_back(p.name);
  CHECK(names == std::vector<std::string>{"optimizer", "lr", "momentum", "beta1", "hidden", "width2",
                                          "layers", "dropout"});
  const auto& lr = std::get<space::FloatDomain>(space.find("lr")->domain);
  CHECK(lr.low == 1e-3);
  CHECK(lr.high == 1.0);
  CHECK(lr.scale == space::Scale::log);
  const auto& hidden = std::get<space::IntDomain>(space.find("hidden")->domain);
  CHECK(hidden.low == 16);
  CHECK(hidden.scale == space::Scale::log);
  CHECK(std::get<space::FloatDomain>(space.find("momentum")->domain).scale == space::Scale::linear);
  // Numbers and booleans as choices stay the text that was written.
  CHECK(std::get<space::CategoricalDomain>(space.find("dropout")->domain).choices ==
        std::vector<std::string>{"0.0", "0.5", "true"});
  // Conditions: the parent may come later in the file; int condition values become ints.
  const auto& width = *space.find("width2");
  REQUIRE(width.condition.size() == 1);
  CHECK(width.condition[0].parent == "layers");
  CHECK(width.condition[0].values == std::vector<space::Value>{std::int64_t{2}, std::int64_t{3}});
  CHECK(space.find("momentum")->condition[0].values == std::vector<space::Value>{std::string("sgd")});
}

TEST_CASE("yaml_space: bounds errors point at the bound") {
  auto e = parse_error("space:\n  lr: {type: float, low: 1.0, high: 0.1}\n");
  CHECK(e.where().file == "campaign.yaml");
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 26);
  CHECK(e.key_path() == "space.lr.low");
  CHECK(std::string(e.what()) == "campaign.yaml:2:26: space.lr.low: must be below high (got 1 >= 0.1); "
                                 "a fixed value is a categorical with one choice");

  e = parse_error("space:\n  x: {type: float, low: 0.0, high: 1.0}\n  lr:\n    type: float\n    low: 0\n"
                  "    high: 1\n    log: true\n");
  CHECK(e.where().line == 5);
  CHECK(e.where().column == 10);
  CHECK(e.key_path() == "space.lr.low");
  CHECK(mentions(e.message(), "log scale needs low > 0 (got 0)"));

  e = parse_error("space:\n  hidden: {type: int, low: 1.5, high: 8}\n");
  CHECK(e.where().line == 2);
  CHECK(e.key_path() == "space.hidden.low");
  CHECK(mentions(e.message(), "expected an integer, got '1.5'"));

  e = parse_error("space:\n  lr: {type: float, high: 1.0}\n");
  CHECK(e.where().line == 2);
  CHECK(e.key_path() == "space.lr");
  CHECK(mentions(e.message(), "missing required key 'low'"));
}

TEST_CASE("yaml_space: choices errors point at the choice") {
  auto e = parse_error("space:\n  optimizer: {type: categorical, choices: [sgd, adam, sgd]}\n");
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 55);
  CHECK(e.key_path() == "space.optimizer.choices[2]");
  CHECK(mentions(e.message(), "choice 'sgd' is listed twice"));

  e = parse_error("space:\n  optimizer: {type: categorical, choices: []}\n");
  CHECK(e.key_path() == "space.optimizer.choices");
  CHECK(mentions(e.message(), "is empty"));

  e = parse_error("space:\n  optimizer: {type: categorical, choices: sgd}\n");
  CHECK(e.key_path() == "space.optimizer.choices");
  CHECK(mentions(e.message(), "expected a list of choices"));
}

TEST_CASE("yaml_space: condition errors point inside when") {
  const std::string prefix =
      "space:\n"
      "  optimizer:\n"
      "    type: categorical\n"
      "    choices: [sgd, adam]\n"
      "  momentum:\n"
      "    type: float\n"
      "    low: 0.0\n"
      "    high: 0.99\n"
      "    when:\n";
  auto e = parse_error(prefix + "      optimizer: sdg\n");
  CHECK(e.where().line == 10);
  CHECK(e.where().column == 18);
  CHECK(e.key_path() == "space.momentum.when.optimizer");
  CHECK(e.message() == "'sdg' is not a choice of 'optimizer' (choices: sgd, adam)");

  e = parse_error(prefix + "      optimzer: sgd\n");
  CHECK(e.where().line == 10);
  CHECK(e.key_path() == "space.momentum.when.optimzer");
  CHECK(mentions(e.message(), "unknown parameter 'optimzer' (did you mean 'optimizer'?)"));

  e = parse_error(prefix + "      optimizer: []\n");
  CHECK(e.where().line == 10);
  CHECK(mentions(e.message(), "lists no values"));

  e = parse_error(prefix + "      optimizer:\n");
  CHECK(e.where().line == 10);
  CHECK(e.key_path() == "space.momentum.when.optimizer");
  CHECK(mentions(e.message(), "gives no value of 'optimizer'"));

  e = parse_error(prefix + "      {}\n");
  CHECK(e.key_path() == "space.momentum.when");
  CHECK(mentions(e.message(), "is empty"));

  e = parse_error(prefix + "      [optimizer, sgd]\n");
  CHECK(e.key_path() == "space.momentum.when");
  CHECK(mentions(e.message(), "expected parent: value pairs"));

  e = parse_error("space:\n  lr: {type: float, low: 0.1, high: 1.0}\n"
                  "  x: {type: float, low: 0.0, high: 1.0, when: {lr: 0.5}}\n");
  CHECK(e.where().line == 3);
  CHECK(e.key_path() == "space.x.when.lr");
  CHECK(mentions(e.message(), "cannot condition on float parameter 'lr'"));

  e = parse_error("space:\n  layers: {type: int, low: 1, high: 3}\n"
                  "  width4: {type: int, low: 8, high: 64, when: {layers: [3, 4]}}\n");
  CHECK(e.where().line == 3);
  CHECK(e.key_path() == "space.width4.when.layers");
  CHECK(mentions(e.message(), "'4' is a value 'layers' never takes: it is an int in [1, 3]"));
}

TEST_CASE("yaml_space: cycles and impossible conditions") {
  auto e = parse_error("space:\n"
                       "  a: {type: categorical, choices: [x, y], when: {b: x}}\n"
                       "  b: {type: categorical, choices: [x, y], when: {a: y}}\n");
  CHECK(e.where().line == 2);
  CHECK(e.key_path() == "space.a.when.b");
  CHECK(mentions(e.message(), "conditions form a cycle: a -> b -> a"));

  e = parse_error("space:\n"
                  "  optimizer: {type: categorical, choices: [sgd, adam]}\n"
                  "  schedule: {type: categorical, choices: [constant, step], when: {optimizer: adam}}\n"
                  "  decay:\n"
                  "    type: float\n"
                  "    low: 0.1\n"
                  "    high: 0.9\n"
                  "    when: {schedule: step, optimizer: sgd}\n");
  CHECK(e.where().line == 8);
  CHECK(e.key_path() == "space.decay.when");
  CHECK(mentions(e.message(), "'decay' can never be active"));
}

TEST_CASE("yaml_space: keys, types and shapes of a parameter") {
  auto e = parse_error("space:\n  lr: {type: float, low: 0.1, high: 1.0, logg: true}\n");
  CHECK(e.where().line == 2);
  CHECK(e.where().column == 42);
  CHECK(e.key_path() == "space.lr.logg");
  CHECK(mentions(e.message(), "unknown key 'logg' (did you mean 'log'?)"));

  e = parse_error("space:\n  lr: {type: float, low: 0.1, high: 1.0, choices: [a]}\n");
  CHECK(e.key_path() == "space.lr.choices");
  CHECK(mentions(e.message(), "'choices' is for categorical parameters"));

  e = parse_error("space:\n  o:\n    type: categorical\n    choices: [a, b]\n    log: true\n");
  CHECK(e.where().line == 5);
  CHECK(e.key_path() == "space.o.log");
  CHECK(mentions(e.message(), "'log' is for float and int parameters"));

  e = parse_error("space:\n  lr: {type: float, low: 0.1, high: 1.0, default: 0.5}\n");
  CHECK(e.key_path() == "space.lr.default");
  CHECK(mentions(e.message(), "'default' is not supported"));

  e = parse_error("space:\n  lr: {low: 0.1, high: 1.0}\n");
  CHECK(e.where().line == 2);
  CHECK(e.key_path() == "space.lr");
  CHECK(mentions(e.message(), "missing 'type'"));

  e = parse_error("space:\n  lr: {type: flaot, low: 0.1, high: 1.0}\n");
  CHECK(e.key_path() == "space.lr.type");
  CHECK(mentions(e.message(), "unknown type 'flaot' (types: float, int, categorical)"));

  e = parse_error("space:\n  lr: {type: loguniform, low: 0.1, high: 1.0}\n");
  CHECK(mentions(e.message(), "write type: float with log: true"));

  e = parse_error("space:\n  x: {type: float, low: 0.0, high: 1.0}\n  lr: 0.1\n");
  CHECK(e.where().line == 3);
  CHECK(e.key_path() == "space.lr");
  CHECK(mentions(e.message(), "expected a definition such as lr: {type: float"));

  e = parse_error("space:\n  lr:\n  x: {type: float, low: 0.0, high: 1.0}\n");
  CHECK(e.where().line == 2);
  CHECK(e.key_path() == "space.lr");

  e = parse_error("space:\n  lr: {type: float, low: 0.1, high: 1.0, low: 0.2}\n");
  CHECK(e.key_path() == "space.lr.low");
  CHECK(mentions(e.message(), "'low' is given twice"));
}

TEST_CASE("yaml_space: names and the space as a whole") {
  auto e = parse_error("space:\n  lr: {type: float, low: 0.1, high: 1.0}\n  x: {type: int, low: 1, high: 2}\n"
                       "  lr: {type: float, low: 0.2, high: 1.0}\n");
  CHECK(e.where().line == 4);
  CHECK(e.key_path() == "space.lr");
  CHECK(mentions(e.message(), "'lr' is given twice (first on line 2)"));

  e = parse_error("space:\n  x: {type: int, low: 1, high: 2}\n  learning-rate: {type: float, low: 0.1, high: 1.0}\n");
  CHECK(e.where().line == 3);
  CHECK(e.key_path() == "space.learning-rate");
  CHECK(mentions(e.message(), "'learning-rate' is not a valid parameter name"));

  e = parse_error("space: {}\n");
  CHECK(e.where().line == 1);
  CHECK(e.key_path() == "space");
  CHECK(mentions(e.message(), "defines no parameters"));

  e = parse_error("space: [lr]\n");
  CHECK(e.key_path() == "space");
  CHECK(mentions(e.message(), "expected parameter definitions"));
}
