#include "campaign/simulation.hpp"

#include "campaign/campaign_directory.hpp"

#include <boost/asio/io_context.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "problems/learning_curve.hpp"

namespace rungs::campaign {

namespace {

// SplitMix64 (Steele, Lea, Flood 2014): a tiny generator whose output is fixed by its seed
// alone, on every platform and standard library (std:: distributions are not).
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

class Draws {
 public:
  explicit Draws(std::uint64_t seed) : state_(seed) {}
  double uniform() { return static_cast<double>(mix(state_++) >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  double normal() {  // Box-Muller
    const double u = 1.0 - uniform();  // (0, 1]
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2 * std::numbers::pi * uniform());
  }

 private:
  std::uint64_t state_;
};

// The seeded functions of the encoded configuration z (see simulation.hpp for the formulas).
class Landscape {
 public:
  Landscape(std::uint64_t seed, std::size_t dimension) : d_(dimension) {
    Draws draws(mix(seed ^ 0x73696d756c617465ULL));
    for (std::size_t i = 0; i < d_; ++i) {
      fill_.push_back(draws.uniform());
      center_.push_back(draws.uniform(0.15, 0.85));
      weight_.push_back(draws.uniform(0.5, 2.0));
      speed_weight_.push_back(draws.uniform(3.0, 5.0));
      cost_weight_.push_back(draws.normal());
    }
    double norm = 0;
    for (const double r : cost_weight_) norm += r * r;
    // n(z) = sqrt(12) r.(z - 1/2) / |r|: mean 0 and variance 1 when z is uniform.
    for (double& r : cost_weight_) r = norm > 0 ? r * std::sqrt(12.0 / norm) : 0.0;
    for (auto& valley : valleys_) {
      for (std::size_t i = 0; i < d_; ++i) valley.at.push_back(draws.uniform());
      valley.depth = draws.uniform(0.3, 0.7);
      valley.width = draws.uniform(0.1, 0.2);
    }
    phase_ = draws.uniform();
  }

  // z with inactive (NaN) coordinates replaced by their fixed values.
  std::vector<double> point(const Eigen::VectorXd& encoded) const {
    std::vector<double> z(d_);
    for (std::size_t i = 0; i < d_; ++i) {
      const double value = encoded[static_cast<Eigen::Index>(i)];
      z[i] = std::isnan(value) ? fill_[i] : value;
    }
    return z;
  }

  double final_value(const std::vector<double>& z) const {
    const double d = static_cast<double>(std::max<std::size_t>(d_, 1));
    double bowl = 0;
    for (std::size_t i = 0; i < d_; ++i) bowl += 4.0 / d * weight_[i] * square(z[i] - center_[i]);
    double value = 1 - std::exp(-bowl);
    for (const auto& valley : valleys_) {
      double distance = 0;
      for (std::size_t i = 0; i < d_; ++i) distance += square(z[i] - valley.at[i]);
      value *= 1 - valley.depth * std::exp(-distance / (2 * d * square(valley.width)));
    }
    return 0.05 + 0.8 * value;
  }

  double curve_speed(const std::vector<double>& z) const {
    double theta = phase_;
    for (std::size_t i = 0; i < d_; ++i) theta += speed_weight_[i] * z[i];
    const double u = (1 + std::sin(2 * std::numbers::pi * theta)) / 2;
    return problems::kMinCurveSpeed * std::pow(problems::kMaxCurveSpeed / problems::kMinCurveSpeed, u);
  }

  double cost_multiplier(const std::vector<double>& z, double spread) const {
    double n = 0;
    for (std::size_t i = 0; i < d_; ++i) n += cost_weight_[i] * (z[i] - 0.5);
    return std::exp(spread * n - spread * spread / 2);
  }

 private:
  static double square(double x) { return x * x; }
  struct Valley {
    std::vector<double> at;
    double depth = 0;
    double width = 0;
  };
  std::size_t d_;
  std::vector<double> fill_, center_, weight_, speed_weight_, cost_weight_;
  std::array<Valley, 4> valleys_;
  double phase_ = 0;
};

const std::string& env(const runners::LaunchSpec& launch, const char* name) {
  const auto found = launch.env.find(name);
  if (found == launch.env.end()) throw std::invalid_argument(fmt::format("{} is not set", name));
  return found->second;
}

// RUNGS_PARAMS back into a Config of the space (the inverse of to_json(Config)).
space::Config read_config(const space::SearchSpace& space, const std::string& text) {
  const auto params = nlohmann::json::parse(text);
  space::Config config;
  for (const auto& [name, value] : params.items()) {
    const auto* parameter = space.find(name);
    if (parameter == nullptr) throw std::invalid_argument(fmt::format("unknown parameter '{}'", name));
    space::Value raw;
    if (value.is_number_integer()) raw = value.get<std::int64_t>();
    else if (value.is_number()) raw = value.get<double>();
    else raw = value.get<std::string>();
    const auto coerced = space::coerce(parameter->domain, raw);
    if (!coerced) throw std::invalid_argument(fmt::format("parameter '{}': bad value {}", name, value.dump()));
    config[name] = *coerced;
  }
  return config;
}

// Everything the model needs, copied from the spec so the model outlives it.
struct Model {
  space::SearchSpace space;
  fidelity::BudgetLadder ladder;
  MetricSpec metric;
  SimulationOptions options;
  Landscape landscape;
  std::optional<std::string> continued;  // "epochs", or the first Continued dimension
  Objectives objectives;

  // A metric besides the campaign's (a constrained metric, a second objective): a smooth
  // function of the configuration's final value in [0, 1], different per name, partly at odds
  // with the metric (a trade-off), deterministic.
  static double other_metric(const std::string& name, double final_value) {
    std::uint64_t h = 1469598103934665603ull;  // FNV-1a: the same on every platform
    for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
    const double phase = static_cast<double>(h % 1000) / 100.0;
    return std::clamp(0.5 * (1 - final_value) + 0.25 * (1 + std::sin(7 * final_value + phase)), 0.0, 1.0);
  }

  double top(const std::string& dimension) const {
    return ladder.at(ladder.levels() - 1).values.at(dimension);
  }

  runners::SimulatedTrial operator()(const runners::LaunchSpec& launch) const {
    const auto z = landscape.point(space.encode(read_config(space, env(launch, "RUNGS_PARAMS"))));
    const auto budget = nlohmann::json::parse(env(launch, "RUNGS_BUDGET"));
    const std::size_t level = std::stoul(env(launch, "RUNGS_LEVEL"));
    const bool resume = env(launch, "RUNGS_RESUME") == "1";
    const std::uint64_t trial = std::stoull(env(launch, "RUNGS_TRIAL_ID"));

    // Fixed dimensions: a bias toward the untrained value.
    double ratio = 1;
    for (const auto& dim : ladder.dimensions()) {
      if (dim.growth != fidelity::Growth::Fixed) continue;
      const double full = top(dim.name);
      if (full > 0) ratio *= budget.at(dim.name).get<double>() / full;
    }
    const double final_value = landscape.final_value(z);
    const double biased = final_value + 0.25 * (1 - std::clamp(ratio, 0.0, 1.0)) * (1 - final_value);
    const double speed = landscape.curve_speed(z);
    const double unit_cost = options.epoch_seconds * landscape.cost_multiplier(z, options.cost_spread);
    // Virtual time follows the ladder's cost model: a fresh run at this level takes
    // cost(level) / cost(top) of a full run (max_units x unit_cost).
    const double relative = ladder.at(level).cost / ladder.at(ladder.levels() - 1).cost;

    const auto report = [&](long step, double progress) {
      Draws noise(mix(options.seed ^ mix(trial ^ mix(static_cast<std::uint64_t>(step)))));
      double value = problems::learning_curve(1.0, biased, speed, progress) + options.noise * noise.normal();
      value = std::clamp(value, 0.0, 1.0);
      nlohmann::json row = {{"step", step}};
      if (objectives.several()) {
        row[objectives.metrics[0].name] = objectives.metrics[0].maximize ? 1 - value : value;
        for (std::size_t i = 1; i < objectives.metrics.size(); ++i)
          row[objectives.metrics[i].name] = other_metric(objectives.metrics[i].name, final_value);
      } else {
        row[metric.name] = metric.maximize ? 1 - value : value;
      }
      for (const auto& c : objectives.constraints)
        if (!row.contains(c.metric)) row[c.metric] = other_metric(c.metric, final_value);
      return "@rungs " + row.dump();
    };

    runners::SimulatedTrial trial_script;
    if (!continued) {  // one report at the end
      const double units = ladder.at(level).units;
      trial_script.exit_after = relative * ladder.max_units() * unit_cost;
      trial_script.lines.emplace_back(trial_script.exit_after, report(1, units / ladder.max_units()));
      return trial_script;
    }
    const long epochs = std::lround(budget.at(*continued).get<double>());
    const double max_epochs = std::max(1.0, std::round(top(*continued)));
    long first = 0;  // epochs already trained by the run this one resumes
    if (resume) first = std::lround(ladder.at(std::stoul(env(launch, "RUNGS_RESUME_LEVEL"))).values.at(*continued));
    first = std::clamp(first, 0L, std::max(0L, epochs - 1));  // always at least one report
    // Per epoch: the level's relative cost spread over its share of the top's epochs (under
    // the product model, the fixed dimensions' factors: fraction x (resolution / top)^2 ...).
    const double epoch_cost = unit_cost * relative * max_epochs / static_cast<double>(std::max(epochs, 1L));
    for (long e = first + 1; e <= epochs; ++e)
      trial_script.lines.emplace_back(static_cast<double>(e - first) * epoch_cost,
                                      report(e, static_cast<double>(e) / max_epochs));
    trial_script.exit_after = static_cast<double>(std::max(epochs - first, 0L)) * epoch_cost;
    return trial_script;
  }
};

}  // namespace

double default_epoch_seconds(const CampaignSpec& spec) {
  constexpr double kEpochSeconds = 60;
  const double timeout = static_cast<double>(spec.trial.timeout.count()) / 1000;
  if (!(timeout > 0)) return kEpochSeconds;
  const auto& top = spec.ladder.at(spec.ladder.levels() - 1);
  double steps = spec.ladder.max_units();
  bool continued = false;  // the dimension the model follows: "epochs", else the first Continued one
  for (const auto& dim : spec.ladder.dimensions())
    if (dim.growth == fidelity::Growth::Continued && (!continued || dim.name == "epochs")) {
      steps = top.values.at(dim.name);
      continued = true;
    }
  return std::min(kEpochSeconds, timeout / (3 * std::max(steps, 1.0)));
}

runners::TrialModel synthetic_trials(const CampaignSpec& spec, const SimulationOptions& options) {
  if (!(options.epoch_seconds > 0) || !std::isfinite(options.epoch_seconds))
    throw std::invalid_argument(fmt::format("epoch_seconds must be a positive number (got {})", options.epoch_seconds));
  if (!(options.cost_spread >= 0) || !std::isfinite(options.cost_spread))
    throw std::invalid_argument(fmt::format("cost_spread must be >= 0 (got {})", options.cost_spread));
  if (!(options.noise >= 0) || !std::isfinite(options.noise))
    throw std::invalid_argument(fmt::format("noise must be >= 0 (got {})", options.noise));

  std::optional<std::string> continued;
  for (const auto& dim : spec.ladder.dimensions()) {
    if (dim.growth != fidelity::Growth::Continued) continue;
    if (!continued || dim.name == "epochs") continued = dim.name;
    if (dim.name == "epochs") break;
  }
  return Model{spec.space, spec.ladder, spec.metric, options,
               Landscape(options.seed, spec.space.dimension()), continued, spec.objectives};
}

nlohmann::json to_json(const SimulationOptions& options) {
  return {{"seed", options.seed}, {"epoch_seconds", options.epoch_seconds}, {"cost_spread", options.cost_spread},
          {"noise", options.noise}, {"workers", options.workers}};
}

SimulationOptions simulation_options_from(const nlohmann::json& json) {
  SimulationOptions options;
  options.seed = json.value("seed", options.seed);
  options.epoch_seconds = json.value("epoch_seconds", options.epoch_seconds);
  options.cost_spread = json.value("cost_spread", options.cost_spread);
  options.noise = json.value("noise", options.noise);
  options.workers = json.value("workers", options.workers);
  return options;
}

SimulationSummary run_simulation(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                                 const SimulationOptions& options, store::CampaignStore& store,
                                 ProgressLine* progress) {
  CampaignSpec simulated = spec;
  const std::size_t workers = options.workers > 0 ? options.workers : spec.scheduler.max_concurrent;
  simulated.scheduler.max_concurrent = workers;
  simulated.trial.report_format = ReportFormat::Json;  // what the synthetic trials print

  std::set<std::string> trials;
  auto model = synthetic_trials(simulated, options);
  boost::asio::io_context io;
  runners::SimulatedRunner runner(
      io,
      [&](const runners::LaunchSpec& launch) {
        trials.insert(env(launch, "RUNGS_TRIAL_ID"));
        return model(launch);
      },
      runners::SimulatedRunnerOptions{workers});

  LoopOptions loop;
  loop.output = store.directory();
  loop.progress = progress;
  loop.handle_signals = false;
  loop.output_files = false;  // simulated trials write no files
  loop.clock = [&runner] { return runner.now(); };
  loop.restore_clock = [&runner](double seconds) { runner.advance_clock(seconds); };

  SimulationSummary summary;
  summary.outcome = run_campaign(simulated, scheduler, runner, io, store, loop);
  summary.workers = workers;
  summary.makespan = runner.now();
  summary.busy_seconds = runner.busy_seconds();
  summary.utilization = summary.makespan > 0 ? summary.busy_seconds / (static_cast<double>(workers) * summary.makespan) : 0;
  summary.runs = runner.launched();
  summary.trials = trials.size();
  summary.timeouts = runner.timeouts();
  summary.events = runner.events_delivered();
  return summary;
}

SimulationSummary run_simulation(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                                 const SimulationOptions& options, const std::filesystem::path& output,
                                 ProgressLine* progress) {
  auto store = create_campaign_directory(spec, output, "simulate", to_json(options));
  return run_simulation(spec, scheduler, options, store, progress);
}

}  // namespace rungs::campaign
