// Configurations to try first through the ask/tell API (Study::enqueue, StudyOptions::start_with):
// handed out first, in order, at the first rung, then promoted like any other; invalid ones
// are refused naming the parameter.
#include <doctest/doctest.h>

#include <set>

#include "space/space_error.hpp"
#include "study/study.hpp"

using namespace rungs;

namespace {

space::SearchSpace space_of() {
  return space::SearchSpace({space::real("x", -2, 2), space::categorical("kind", {"a", "b"}),
                             space::real("y", 0, 1).when("kind", {std::string("b")})});
}

fidelity::BudgetLadder ladder() {
  return fidelity::BudgetLadder(1, 9, 3, {{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 9}}});
}

const space::Config kBest{{"x", 0.0}, {"kind", std::string("a")}};
const space::Config kOther{{"x", 1.5}, {"kind", std::string("b")}, {"y", 0.5}};

}  // namespace

TEST_CASE("study: enqueued configurations come first, at the first rung, and the best is promoted") {
  for (const auto& optimizer : {study::OptimizerSettings{study::RandomSearchSettings{}},
                                study::OptimizerSettings{optimizers::TpeSettings{}}}) {
    study::Study study(space_of(), ladder(),
                       {.scheduler = {scheduler::HyperbandOptions{}}, .optimizer = optimizer, .seed = 2,
                        .start_with = {kOther}});
    study.enqueue(kBest);
    CHECK(study.queued() == 2);
    std::vector<scheduler::Job> jobs;
    std::set<scheduler::TrialId> promoted;
    while (auto job = study.ask()) {
      if (job->budget.level > 0) promoted.insert(job->trial);
      jobs.push_back(*job);
      const double x = std::get<double>(job->config.at("x"));
      study.tell(job->trial, x * x);
    }
    REQUIRE(jobs.size() > 2);
    CHECK(jobs[0].config == kOther);
    CHECK(jobs[1].config == kBest);
    CHECK(jobs[0].budget.level == 0);
    CHECK(jobs[1].budget.level == 0);
    CHECK(study.queued() == 0);
    // x = 0 is the optimum: it is promoted to the top and is the best.
    CHECK(promoted.count(jobs[1].trial) == 1);
    REQUIRE(study.best().has_value());
    CHECK(study.best()->config == kBest);
  }
}

TEST_CASE("study: enqueue refuses a configuration the space does not allow, naming the parameter") {
  study::Study study(space_of(), ladder());
  const auto refused = [&](const space::Config& config) {
    try {
      study.enqueue(config);
    } catch (const space::SpaceError& e) {
      return e.parameter();
    }
    return std::string("accepted");
  };
  CHECK(refused({{"x", 0.0}, {"kind", std::string("b")}}) == "y");                 // missing
  CHECK(refused({{"x", 0.0}, {"kind", std::string("a")}, {"y", 0.5}}) == "y");    // inactive
  CHECK(refused({{"x", 3.0}, {"kind", std::string("a")}}) == "x");                 // out of range
  CHECK(refused({{"x", 0.0}, {"kind", std::string("c")}}) == "kind");              // not a choice
  CHECK(refused({{"x", 0.0}, {"kind", std::string("a")}, {"z", 1.0}}) == "z");     // unknown
  CHECK(study.queued() == 0);
  CHECK_THROWS_AS(study::Study(space_of(), ladder(), {.start_with = {{{"x", 9.0}, {"kind", std::string("a")}}}}),
                  space::SpaceError);
}
