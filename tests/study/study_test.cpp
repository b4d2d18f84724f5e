// The ask/tell Study: the same Hyperband and random search as `rungs run`, in process.
#include <doctest/doctest.h>

#include <cmath>
#include <stdexcept>

#include "study/study.hpp"

using namespace rungs;

namespace {

space::SearchSpace quadratic_space() {
  return space::SearchSpace({space::real("x", -2, 2), space::categorical("kind", {"a", "b"}),
                             space::real("y", 0, 1).when("kind", {std::string("b")})});
}

fidelity::BudgetLadder ladder() {
  return fidelity::BudgetLadder(1, 9, 3, {{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 9}}});
}

// A "learning curve": the longer the budget, the closer to the true value x^2.
double objective(const scheduler::Job& job) {
  const double x = std::get<double>(job.config.at("x"));
  return x * x + 1.0 / job.budget.values.at("epochs");
}

}  // namespace

TEST_CASE("study: a sequential ask/tell loop runs Hyperband to the end") {
  study::Study study(quadratic_space(), ladder(), {.scheduler = {scheduler::HyperbandOptions{}}, .seed = 4});
  int runs = 0;
  while (auto job = study.ask()) {
    CHECK(job->config.count("y") == (std::get<std::string>(job->config.at("kind")) == "b" ? 1u : 0u));
    study.tell(job->trial, objective(*job));
    ++runs;
  }
  CHECK(study.finished());
  CHECK(runs == 9 + 3 + 1 + 5 + 1 + 3);  // R = 9, eta = 3: brackets 9-3-1, 5-1, 3
  const auto best = study.best();
  REQUIRE(best);
  CHECK(best->budget.level == 2);  // the best is judged at the largest budget
  CHECK(best->value == doctest::Approx(std::pow(std::get<double>(best->config.at("x")), 2) + 1.0 / 9));
}

TEST_CASE("study: the same seed gives the same sequence, another seed another") {
  auto trace = [](std::uint64_t seed) {
    study::Study study(quadratic_space(), ladder(), {.seed = seed});
    std::vector<double> xs;
    while (auto job = study.ask()) {
      xs.push_back(std::get<double>(job->config.at("x")));
      study.tell(job->trial, objective(*job));
    }
    return xs;
  };
  CHECK(trace(1) == trace(1));
  CHECK(trace(1) != trace(2));
}

TEST_CASE("study: maximizing ranks the largest value first") {
  study::Study study(quadratic_space(), ladder(),
                     {.scheduler = {scheduler::SuccessiveHalvingOptions{}}, .seed = 2, .maximize = true});
  while (auto job = study.ask()) study.tell(job->trial, objective(*job));
  const auto best = study.best();
  REQUIRE(best);
  CHECK(std::abs(std::get<double>(best->config.at("x"))) > 1.0);  // far from 0 is good when maximizing x^2
}

TEST_CASE("study: failures count as worst and contract errors are reported") {
  study::Study study(quadratic_space(), ladder(), {.scheduler = {scheduler::SuccessiveHalvingOptions{}}, .seed = 3});
  auto first = study.ask();
  REQUIRE(first);
  study.tell_failed(first->trial);
  CHECK_THROWS_AS(study.tell(first->trial, 1.0), std::logic_error);  // already told
  CHECK_THROWS_AS(study.tell(999, 1.0), std::logic_error);
  while (auto job = study.ask()) study.tell(job->trial, objective(*job));
  CHECK(study.state(first->trial) == scheduler::TrialState::Failed);
}

TEST_CASE("study: intermediate reports are accepted for a running job") {
  study::Study study(quadratic_space(), ladder());
  auto job = study.ask();
  REQUIRE(job);
  CHECK(study.report(job->trial, 1, 0.5) == scheduler::Decision::Continue);
}

TEST_CASE("study: TPE, GP and ASHA are driven through the same ask/tell API") {
  for (const auto& optimizer : {study::OptimizerSettings{optimizers::TpeSettings{}}, study::OptimizerSettings{optimizers::GpSettings{}}}) {
    CAPTURE(study::optimizer_name(optimizer));
    auto trace = [&] {
      study::Study study(quadratic_space(), ladder(),
                         {.scheduler = {scheduler::HyperbandOptions{.iterations = 2}}, .optimizer = optimizer, .seed = 5});
      std::vector<double> xs;
      while (auto job = study.ask()) {
        quadratic_space().validate(job->config);  // only active parameters are set
        xs.push_back(std::get<double>(job->config.at("x")));
        study.tell(job->trial, objective(*job));
      }
      CHECK(study.finished());
      REQUIRE(study.best());
      return xs;
    };
    CHECK(trace() == trace());  // deterministic for a seed
  }
  study::Study asha(quadratic_space(), ladder(),
                    {.scheduler = {scheduler::AshaOptions{.max_trials = 20}}, .optimizer = optimizers::TpeSettings{}, .seed = 1});
  int runs = 0;
  while (auto job = asha.ask()) asha.tell(job->trial, objective(*job)), ++runs;
  CHECK(asha.finished());
  CHECK(runs > 20);  // promotions come on top of the 20 new trials
}

TEST_CASE("study: names of the typed settings round-trip, unknown names are refused") {
  for (const char* name : {"hyperband", "successive_halving", "asha", "async_hyperband"}) {
    const auto kind = study::scheduler_named(name);
    REQUIRE(kind);
    CHECK(study::scheduler_name(*kind) == name);
  }
  for (const char* name : {"random", "tpe", "gp"}) {
    const auto settings = study::optimizer_named(name);
    REQUIRE(settings);
    CHECK(study::optimizer_name(*settings) == name);
  }
  CHECK_FALSE(study::scheduler_named("hyperbandd"));
  CHECK_FALSE(study::optimizer_named("bohb"));
  CHECK(study::asynchronous(scheduler::AsyncHyperbandOptions{}));
  CHECK_FALSE(study::asynchronous(scheduler::SuccessiveHalvingOptions{}));
}

TEST_CASE("study: a stopping rule stops runs early, extrapolation's final step defaults to the ladder's") {
  // Median rule with no grace: a trial reporting worse than the median of the others at a
  // step is stopped, so a loop reporting one bad curve among good ones sees a Stop.
  study::Study study(quadratic_space(), ladder(),
                     {.scheduler = {scheduler::HyperbandOptions{}, scheduler::MedianStoppingOptions{0, 1}}, .seed = 6});
  int stops = 0;
  while (auto job = study.ask()) {
    const double value = job->trial % 2 == 0 ? 10.0 : 0.1;  // even trials are bad throughout
    if (study.report(job->trial, 1, value) == scheduler::Decision::Stop) ++stops;
    study.tell(job->trial, value);
  }
  CHECK(stops > 0);
  // final_step 0 is replaced by the ladder's final milestone; a CurveExtrapolationRule
  // constructed with 0 would throw.
  CHECK_NOTHROW(study::Study(quadratic_space(), ladder(),
                             {.scheduler = {scheduler::HyperbandOptions{}, scheduler::CurveExtrapolationOptions{}}}));
  CHECK_THROWS_AS(study::Study(quadratic_space(), ladder(), {.scheduler = {scheduler::AshaOptions{}}}),
                  std::invalid_argument);  // ASHA needs a limit
}

TEST_CASE("study: a run report() stopped is charged the epochs it trained, not its budget") {
  // Median rule with no grace: odd trials report a bad value at epoch 1 and are stopped there.
  study::Study study(quadratic_space(), ladder(),
                     {.scheduler = {scheduler::HyperbandOptions{}, scheduler::MedianStoppingOptions{0, 1}}, .seed = 6,
                      .max_cost = 1000});
  double trained = 0;
  int stops = 0;
  while (auto job = study.ask()) {
    const double from = job->resume_from ? job->resume_from->values.at("epochs") : 0;
    const double epochs = job->budget.values.at("epochs");
    const double value = job->trial % 2 == 0 ? 10.0 : 0.1;
    double step = from + 1;
    for (; step <= epochs; ++step)
      if (study.report(job->trial, step, value) == scheduler::Decision::Stop) break;
    if (step <= epochs) ++stops;
    trained += std::min(step, epochs) - from;  // the epochs this run trained
    study.tell(job->trial, value);
  }
  REQUIRE(stops > 0);
  CHECK(study.cost() == doctest::Approx(trained));
}

TEST_CASE("study: max_cost bounds ASHA (no limit of its own) and Hyperband by what the runs are charged") {
  // ASHA with no max_trials: max_cost alone ends it. Epochs continue, so a promotion from 3 to
  // 9 epochs is charged 6.
  study::Study asha(quadratic_space(), ladder(), {.scheduler = {scheduler::AshaOptions{}}, .seed = 2, .max_cost = 50});
  double charged = 0;
  int promotions = 0;
  while (auto job = asha.ask()) {
    const double epochs = job->budget.values.at("epochs");
    const double before = job->resume_from ? job->resume_from->values.at("epochs") : 0;
    promotions += job->resume_from.has_value();
    charged += epochs - before;
    asha.tell(job->trial, objective(*job));
  }
  CHECK(asha.finished());
  CHECK(charged == doctest::Approx(asha.cost()));
  CHECK(asha.cost() <= 50);
  CHECK(asha.cost() > 50 - 9);  // it stopped because the next run did not fit
  CHECK(promotions > 0);
  CHECK_FALSE(asha.ask());  // the held run stays held

  // Hyperband: one iteration costs far more than 20.
  study::Study hyperband(quadratic_space(), ladder(), {.seed = 2, .max_cost = 20});
  while (auto job = hyperband.ask()) hyperband.tell(job->trial, objective(*job));
  CHECK(hyperband.finished());
  CHECK(hyperband.cost() <= 20);
  CHECK_THROWS_AS(study::Study(quadratic_space(), ladder(), {.max_cost = 0}), std::invalid_argument);
}
