// Custom dimension kinds: registered from C++, configured from options, priced and formatted
// by their own code; and the example plugin (examples/04_custom_dimension) loaded with dlopen.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <memory>

#include "fidelity/dimension_registry.hpp"
#include "fidelity/ladder.hpp"
#include "fidelity/plugin_loader.hpp"
#include "fidelity/run_cost.hpp"

using namespace rungs::fidelity;

namespace {

// Sequence length for a language model: 64 * 2^level tokens, cost linear in the length, and
// a second variable for the trial.
class SequenceLength : public CustomDimension {
 public:
  explicit SequenceLength(double base) : base_(base) {}
  double value(std::size_t level, std::size_t) const override { return base_ * std::pow(2.0, static_cast<double>(level)); }
  bool integer() const override { return true; }
  std::string format(double value) const override { return std::to_string(static_cast<long>(value)) + "tok"; }
  std::map<std::string, std::string> environment(double value) const override {
    return {{"SEQ_BLOCKS", std::to_string(static_cast<long>(value) / 64)}};
  }

 private:
  double base_;
};

DimensionKind sequence_kind() {
  return {.name = "test-sequence",
          .summary = "tokens per sequence",
          .options = {"base"},
          .make = [](const DimensionOptions& options) -> std::shared_ptr<const CustomDimension> {
            const double base = options.number("base", 64);
            if (base < 1) throw OptionError("base", "base must be >= 1");
            return std::make_shared<SequenceLength>(base);
          }};
}

}  // namespace

TEST_CASE("registry: kinds by name, duplicates and bad names refused") {
  DimensionRegistry registry;
  registry.add(sequence_kind());
  REQUIRE(registry.find("test-sequence") != nullptr);
  CHECK(registry.find("nope") == nullptr);
  CHECK(registry.names() == std::vector<std::string>{"test-sequence"});
  CHECK_THROWS_WITH_AS(registry.add(sequence_kind()), doctest::Contains("already registered"), std::invalid_argument);
  auto bad = sequence_kind();
  bad.name = "a b";
  CHECK_THROWS_AS(registry.add(bad), std::invalid_argument);
  bad.name = "no-make";
  bad.make = nullptr;
  CHECK_THROWS_WITH_AS(registry.add(bad), doctest::Contains("make"), std::invalid_argument);
}

TEST_CASE("options: typed readers name the key, unread keys are reported") {
  DimensionOptions options;
  options.set("native", "28");
  options.set("name", "x");
  options.set_list("sides", {"7", "14", "28"});
  options.set("flag", "yes");
  CHECK(options.number("native") == 28);
  CHECK(options.numbers("sides") == std::vector<double>{7, 14, 28});
  CHECK(options.flag("flag", false));
  CHECK(options.number("missing", 3) == 3);
  CHECK(options.unused() == std::vector<std::string>{"name"});
  try {
    options.number("name");
    FAIL("expected an OptionError");
  } catch (const OptionError& e) {
    CHECK(e.key() == "name");
    CHECK(std::string(e.what()).find("expected a number") != std::string::npos);
  }
  CHECK_THROWS_AS(options.number("sides"), OptionError);
  CHECK_THROWS_AS(options.numbers("native"), OptionError);
  CHECK_THROWS_AS(options.text("absent"), OptionError);
}

TEST_CASE("a custom dimension in a ladder: its values, its cost factor, its text and variables") {
  const auto made = sequence_kind().make(DimensionOptions{});
  Dimension seq{"seq_len", false, Growth::Continued, Custom{made, "test-sequence"}};  // growth/integer: the kind's
  const BudgetLadder ladder(1, 9, 3, {seq}, CostModel::product());
  const auto& dim = ladder.dimensions().front();
  CHECK(dim.growth == Growth::Fixed);  // the kind says Fixed (the default)
  CHECK(dim.integer);
  CHECK(ladder.at(0).values.at("seq_len") == 64);
  CHECK(ladder.at(2).values.at("seq_len") == 256);
  // cost = 9 x value / 256: 2.25, 4.5, 9
  CHECK(ladder.at(0).cost == doctest::Approx(2.25));
  CHECK(ladder.at(1).cost == doctest::Approx(4.5));
  CHECK(format_value(dim, 128) == "128tok");
  CHECK(env_name(dim) == "RUNGS_BUDGET_SEQ_LEN");
  CHECK(made->environment(128).at("SEQ_BLOCKS") == "2");
  CHECK(run_start(ladder, ladder.at(1), ladder.at(0)) == RunStart::Rerun);
}

TEST_CASE("the downsample plugin loads with dlopen, registers its kind once, and works") {
  const auto library = std::filesystem::path(RUNGS_BIN_DIR) / "libdownsample.so";
  REQUIRE(std::filesystem::exists(library));
  const auto kinds = load_dimension_plugin(library);
  CHECK(kinds == std::vector<std::string>{"downsample"});
  CHECK(load_dimension_plugin(library) == kinds);  // a second load registers nothing twice
  const auto* kind = dimension_registry().find("downsample");
  REQUIRE(kind != nullptr);
  CHECK(kind->options == std::vector<std::string>{"native", "min", "cost_power", "warm_start"});

  DimensionOptions options;
  options.set("native", "28");
  options.set("min", "7");
  const auto made = kind->make(options);
  CHECK(options.unused().empty());
  // R = 27: geometric 7 .. 28 is 7, 11.1, 17.6, 28 px, snapped in log space to divisors of 28:
  // 7, 14 (11.1 is nearer 14 than 7), 14, 28.
  const BudgetLadder ladder(1, 27, 3, {Dimension{"resolution", false, Growth::Fixed, Custom{made, "downsample"}}},
                            CostModel::product());
  CHECK(ladder.at(0).values.at("resolution") == 7);
  CHECK(ladder.at(1).values.at("resolution") == 14);
  CHECK(ladder.at(2).values.at("resolution") == 14);
  CHECK(ladder.at(3).values.at("resolution") == 28);
  CHECK(ladder.at(0).cost == doctest::Approx(27.0 / 16));  // (7/28)^2: pixels
  CHECK(ladder.at(1).cost == doctest::Approx(27.0 / 4));
  const auto& dim = ladder.dimensions().front();
  CHECK(dim.integer);
  CHECK(format_value(dim, 14) == "14");
  CHECK(made->environment(14).at("RUNGS_DOWNSAMPLE_FACTOR") == "2");

  // Its option errors name the key, across the library boundary.
  DimensionOptions bad;
  bad.set("native", "28");
  bad.set("min", "5");
  try {
    kind->make(bad);
    FAIL("expected an OptionError");
  } catch (const OptionError& e) {
    CHECK(e.key() == "min");
    CHECK(std::string(e.what()).find("divide") != std::string::npos);
  }
}

TEST_CASE("plugin lookup and load errors name the file") {
  const auto bin = std::filesystem::path(RUNGS_BIN_DIR);
  // A bare name is found beside the running executable (the tests live in bin/ too).
  CHECK(find_dimension_plugin("libdownsample.so", "/nowhere") == bin / "libdownsample.so");
  CHECK(find_dimension_plugin((bin / "libdownsample.so").string(), "/nowhere") == bin / "libdownsample.so");
  CHECK_THROWS_WITH_AS(find_dimension_plugin("libnothing-here.so", "/nowhere"), doctest::Contains("not found"),
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(find_dimension_plugin("./libnothing-here.so", "/nowhere"), doctest::Contains("/nowhere/libnothing-here.so"),
                       std::invalid_argument);
  // Not a shared library at all, and a shared library that is no rungs plugin.
  CHECK_THROWS_WITH_AS(load_dimension_plugin(bin / "test_fidelity"), doctest::Contains("test_fidelity"), std::runtime_error);
  for (const char* other : {"/usr/lib/x86_64-linux-gnu/libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1"}) {
    if (!std::filesystem::exists(other)) continue;
    CHECK_THROWS_WITH_AS(load_dimension_plugin(other), doctest::Contains("not a rungs dimension plugin"), std::runtime_error);
    break;
  }
}
