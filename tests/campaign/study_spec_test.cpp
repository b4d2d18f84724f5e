// A study's settings read from the sections of a campaign file (campaign/study_spec.hpp): what
// the Python module builds its Study and Space from.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "campaign/study_spec.hpp"

using namespace rungs;

namespace {

std::string error_of(const std::string& text) {
  try {
    campaign::parse_study(text, "<study>");
  } catch (const campaign::ConfigError& e) {
    return e.key_path() + ": " + e.message();
  }
  FAIL("expected a ConfigError");
  return {};
}

}  // namespace

TEST_CASE("study spec: every section is optional and read as in a campaign file") {
  const auto empty = campaign::parse_study("{}", "<study>");
  CHECK(empty.space.empty());
  CHECK(empty.ladder.levels() == 1);
  CHECK(std::holds_alternative<scheduler::HyperbandOptions>(empty.scheduler.kind));
  CHECK(std::holds_alternative<study::RandomSearchSettings>(empty.optimizer));

  const auto spec = campaign::parse_study(
      R"({"space": {"opt": {"type": "categorical", "choices": ["sgd", "adam"]},
                    "m": {"type": "float", "low": 0, "high": 1, "when": {"opt": "sgd"}}},
          "budget": {"min": 1, "max": 27, "dimensions": {"epochs": {"type": "int", "growth": "continued", "min": 1, "max": 27}}},
          "scheduler": {"type": "asha", "max_trials": 10, "eta": 3},
          "optimizer": {"type": "tpe", "num_samples": 32}})",
      "<study>");
  CHECK(spec.space.dimension() == 2);
  CHECK(spec.space.parameters()[1].is_conditional());
  CHECK(spec.ladder.levels() == 4);
  CHECK(spec.ladder.at(3).values.at("epochs") == 27);
  CHECK(std::get<scheduler::AshaOptions>(spec.scheduler.kind).max_trials == 10);
  CHECK(std::get<optimizers::TpeSettings>(spec.optimizer).num_samples == 32);
}

TEST_CASE("study spec: a scheduler or optimizer may be given by name, the budget follows the scheduler's eta") {
  const auto spec = campaign::parse_study(R"({"scheduler": "successive_halving", "optimizer": "gp",
                                              "budget": {"min": 1, "max": 16}})",
                                          "<study>");
  CHECK(std::holds_alternative<scheduler::SuccessiveHalvingOptions>(spec.scheduler.kind));
  CHECK(std::holds_alternative<optimizers::GpSettings>(spec.optimizer));
  CHECK(spec.ladder.levels() == 3);  // eta 3: 16/9, 16/3, 16
  const auto eta2 = campaign::parse_study(R"({"scheduler": {"eta": 2}, "budget": {"min": 1, "max": 16}})", "<study>");
  CHECK(eta2.ladder.levels() == 5);
}

TEST_CASE("study spec: mistakes are ConfigErrors at the key, with the campaign file's messages") {
  CHECK(error_of(R"({"scheduler": "hyperbnd"})").rfind("scheduler.type: unknown scheduler 'hyperbnd'", 0) == 0);
  CHECK(error_of(R"({"budget": {"min": 3, "max": 1}})").rfind("budget.max: must be at least min", 0) == 0);
  CHECK(error_of(R"({"space": {"x": {"type": "float", "low": 1, "high": 0}}})").rfind("space.x", 0) == 0);
  CHECK(error_of(R"({"trial": {"command": ["x"]}})").find("trial") != std::string::npos);
}

TEST_CASE("study spec: load_space reads a campaign file's space, or a file that is a space") {
  const auto dir = std::filesystem::temp_directory_path() / "rungs-study-spec-test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "campaign.yaml") << "space:\n  lr: {type: float, low: 0.001, high: 1, log: true}\n"
                                            "budget: {min: 1, max: 9}\ntrial: {command: [x]}\n";
    std::ofstream(dir / "space.yaml") << "opt: {type: categorical, choices: [a, b]}\n"
                                         "m: {type: float, low: 0, high: 1, when: {opt: c}}\n";
  }
  CHECK(campaign::load_space(dir / "campaign.yaml").parameters().front().name == "lr");
  try {
    campaign::load_space(dir / "space.yaml");
    FAIL("expected a ConfigError");
  } catch (const campaign::ConfigError& e) {
    CHECK(e.where().line == 2);
    CHECK(e.key_path() == "m.when.opt");
  }
  std::filesystem::remove_all(dir);
}
