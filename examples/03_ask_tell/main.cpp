// In-process use (ask/tell): Hyperband tunes the optimizer that minimizes the Rosenbrock
// function f(x, y) = (1 - x)^2 + 100 (y - x^2)^2 from (-1.5, 2), with the number of
// gradient steps as the budget. No processes: the "training" is a function call.
//
//   build/bin/ask-tell-example
// It needs only the ask/tell library (rungs::study): this folder also builds on its own
// against an installed rungs (CMakeLists.txt; tested by tests/install/).
#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "study/study.hpp"

using namespace rungs;

namespace {

// Gradient descent with momentum or Adam (Kingma & Ba 2015) on Rosenbrock; returns f at the end.
double minimize_rosenbrock(const space::Config& config, int steps) {
  const auto& name = std::get<std::string>(config.at("optimizer"));
  const double lr = std::get<double>(config.at("lr"));
  double x = -1.5, y = 2.0, vx = 0, vy = 0, mx = 0, my = 0, sx = 0, sy = 0;
  for (int t = 1; t <= steps; ++t) {
    const double gx = -2 * (1 - x) - 400 * x * (y - x * x);
    const double gy = 200 * (y - x * x);
    if (name == "sgd") {
      const double momentum = std::get<double>(config.at("momentum"));
      vx = momentum * vx - lr * gx;
      vy = momentum * vy - lr * gy;
      x += vx, y += vy;
    } else {
      const double b1 = std::get<double>(config.at("beta1")), b2 = std::get<double>(config.at("beta2"));
      mx = b1 * mx + (1 - b1) * gx, my = b1 * my + (1 - b1) * gy;
      sx = b2 * sx + (1 - b2) * gx * gx, sy = b2 * sy + (1 - b2) * gy * gy;
      const double c1 = 1 - std::pow(b1, t), c2 = 1 - std::pow(b2, t);
      x -= lr * (mx / c1) / (std::sqrt(sx / c2) + 1e-8);
      y -= lr * (my / c1) / (std::sqrt(sy / c2) + 1e-8);
    }
    if (!std::isfinite(x) || !std::isfinite(y)) return std::numeric_limits<double>::infinity();
  }
  return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
}

}  // namespace

int main() {
  space::SearchSpace space({
      space::categorical("optimizer", {"sgd", "adam"}),
      space::real("lr", 1e-5, 1e-1, space::Scale::log),
      space::real("momentum", 0.0, 0.99).when("optimizer", {std::string("sgd")}),
      space::real("beta1", 0.5, 0.99).when("optimizer", {std::string("adam")}),
      space::real("beta2", 0.9, 0.9999).when("optimizer", {std::string("adam")}),
  });
  // Budget levels 100 .. 8100 gradient steps, eta = 3 (five levels).
  fidelity::BudgetLadder ladder(100, 8100, 3,
                                {{"steps", true, fidelity::Growth::Continued, fidelity::Geometric{100, 8100}}});
  study::Study study(std::move(space), std::move(ladder), {.scheduler = {scheduler::HyperbandOptions{}}, .seed = 3});

  int runs = 0;
  while (auto job = study.ask()) {
    const int steps = static_cast<int>(job->budget.values.at("steps"));
    study.tell(job->trial, minimize_rosenbrock(job->config, steps));
    ++runs;
  }
  const auto best = study.best();
  if (!best) return 1;
  fmt::print("{} runs; best f = {:.3g} (trial {}, {} steps)\n", runs, best->value, best->trial,
             best->budget.values.at("steps"));
  for (const auto& [name, value] : best->config) fmt::print("  {}: {}\n", name, space::to_string(value));
  return 0;
}
