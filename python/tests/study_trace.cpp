// The C++ side of python/tests/test_same_as_cpp.py: a sequential ask/tell loop over the
// Rosenbrock space of examples/03_ask_tell with a closed-form objective, printing every job
// and every stop decision, for the scheduler and optimizer named on the command line.
//   study-trace SCHEDULER OPTIMIZER SEED     e.g. study-trace asha tpe 5
#include <fmt/format.h>

#include <cmath>
#include <string>

#include "study/study.hpp"

using namespace rungs;

namespace {

// Smooth, with its minimum inside the space; steps lower it as training would.
double objective(const space::Config& config, double steps, double step) {
  const double lr = std::get<double>(config.at("lr"));
  double value = std::pow(std::log10(lr) + 2.5, 2);
  if (std::get<std::string>(config.at("optimizer")) == "sgd") {
    value += std::pow(std::get<double>(config.at("momentum")) - 0.9, 2);
  } else {
    value += std::pow(std::get<double>(config.at("beta1")) - 0.8, 2) + 0.3;
  }
  return value + 10.0 / (1.0 + std::min(step, steps));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  space::SearchSpace space({
      space::categorical("optimizer", {"sgd", "adam"}),
      space::real("lr", 1e-5, 1e-1, space::Scale::log),
      space::real("momentum", 0.0, 0.99).when("optimizer", {std::string("sgd")}),
      space::real("beta1", 0.5, 0.99).when("optimizer", {std::string("adam")}),
      space::real("beta2", 0.9, 0.9999).when("optimizer", {std::string("adam")}),
  });
  fidelity::BudgetLadder ladder(1, 27, 3, {{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 27}}});
  auto kind = study::scheduler_named(argv[1]);
  auto optimizer = study::optimizer_named(argv[2]);
  if (!kind || !optimizer) return 2;
  if (auto* asha = std::get_if<scheduler::AshaOptions>(&*kind)) asha->max_trials = 40;
  if (auto* async = std::get_if<scheduler::AsyncHyperbandOptions>(&*kind)) async->max_trials = 40;
  study::SchedulerSettings settings{*kind, scheduler::MedianStoppingOptions{}};
  study::Study study(std::move(space), std::move(ladder),
                     {.scheduler = settings, .optimizer = *optimizer, .seed = std::stoull(argv[3])});
  while (auto job = study.ask()) {
    const double epochs = job->budget.values.at("epochs");
    std::string config;
    for (const auto& [name, value] : job->config)
      config += fmt::format(" {}={}", name,
                            std::holds_alternative<double>(value) ? fmt::format("{:.17g}", std::get<double>(value))
                                                                  : space::to_string(value));
    fmt::print("job {} level {}{}\n", job->trial, job->budget.level, config);
    // A promoted trial goes on from the epochs it already trained.
    const int start = job->resume_from ? static_cast<int>(job->resume_from->values.at("epochs")) : 0;
    double value = 0;
    for (int epoch = start + 1; epoch <= static_cast<int>(epochs); ++epoch) {
      value = objective(job->config, epochs, epoch);
      if (study.report(job->trial, epoch, value) == scheduler::Decision::Stop) {
        fmt::print("stop {} at {}\n", job->trial, epoch);
        break;
      }
    }
    study.tell(job->trial, value);
  }
  const auto best = study.best();
  if (best) fmt::print("best {} {:.17g}\n", best->trial, best->value);
  return 0;
}
