// One contract test over every scheduler: a deterministic multi-worker fake loop drives each
// through start, report, pause, resume, stop, failure and completion (fake_loop.hpp checks on
// the fly that every Job is answered once, that no trial runs twice at once and that
// resume_from is set exactly on promotions); then every trial must be in a terminal state,
// finished() true, and unknown ids must throw.
#include <doctest/doctest.h>

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fake_loop.hpp"
#include "scheduler/asha.hpp"
#include "scheduler/curve_extrapolation.hpp"
#include "scheduler/freeze_thaw.hpp"
#include "scheduler/hyperband.hpp"
#include "scheduler/median_stopping.hpp"
#include "scheduler/milestones.hpp"
#include "scheduler/pbt.hpp"
#include "scheduler/stopping_rule.hpp"

using namespace rungs::scheduler;
using rungs::test::epochs_ladder;
using rungs::test::LoopLog;
using rungs::test::LoopOptions;
using rungs::test::OptimizerLog;

namespace {

struct Contender {
  std::string name;
  std::function<std::unique_ptr<Scheduler>(std::shared_ptr<OptimizerLog>)> make;
  bool promotes = false;     // hands out resumed runs (pause + resume)
  bool must_stop = false;    // must answer Stop to some report
  bool suggest_per_trial = true;  // exactly one Optimizer::suggest per trial (freeze-thaw also scores random ones)
  bool inherits = false;          // hands out new trials that continue another's checkpoint (PBT)
};

std::unique_ptr<Scheduler> with_rule(std::unique_ptr<Scheduler> inner, std::unique_ptr<StoppingRule> rule) {
  return std::make_unique<WithStoppingRule>(std::move(inner), std::move(rule));
}

std::unique_ptr<StoppingRule> median() {
  return std::make_unique<MedianStoppingRule>(MedianStoppingOptions{.grace_period = 2, .min_samples = 3});
}
std::unique_ptr<StoppingRule> extrapolation() {
  return std::make_unique<CurveExtrapolationRule>(
      CurveExtrapolationOptions{.final_step = final_milestone(epochs_ladder()), .min_points = 5});
}

std::vector<Contender> contenders() {
  using rungs::test::fake_optimizer;
  const auto asha = [](AshaMode mode, std::size_t n) {
    return [mode, n](std::shared_ptr<OptimizerLog> log) -> std::unique_ptr<Scheduler> {
      return std::make_unique<Asha>(fake_optimizer(log), epochs_ladder(), AshaOptions{.mode = mode, .max_trials = n});
    };
  };
  const auto async_hb = [](AshaMode mode, std::size_t n) {
    return [mode, n](std::shared_ptr<OptimizerLog> log) -> std::unique_ptr<Scheduler> {
      return std::make_unique<AsyncHyperband>(fake_optimizer(log), epochs_ladder(),
                                              AsyncHyperbandOptions{.mode = mode, .max_trials = n});
    };
  };
  const auto pbt = [](bool synchronous) {
    return [synchronous](std::shared_ptr<OptimizerLog> log) -> std::unique_ptr<Scheduler> {
      // Linear levels 1..12 epochs, two per interval: runs end at 2, 4, ..., 12.
      rungs::fidelity::Dimension epochs{"epochs", true, rungs::fidelity::Growth::Continued,
                                        rungs::fidelity::Geometric{1, 12}};
      rungs::fidelity::BudgetLadder ladder(1, 12, 3, {epochs}, rungs::fidelity::CostModel::units(), 1.0);
      return std::make_unique<Pbt>(fake_optimizer(log), ladder,
                                   rungs::space::SearchSpace({rungs::space::real("x", 0, 1000)}),
                                   PbtOptions{.population = 8, .interval = 2, .synchronous = synchronous}, 3);
    };
  };
  return {
      {"successive halving",
       [](auto log) { return std::make_unique<SuccessiveHalving>(fake_optimizer(log), epochs_ladder()); }, true,
       false},
      {"hyperband", [](auto log) { return std::make_unique<Hyperband>(fake_optimizer(log), epochs_ladder()); }, true,
       false},
      {"asha promotion", asha(AshaMode::Promotion, 40), true, false},
      {"asha stopping", asha(AshaMode::Stopping, 40), false, true},
      {"async hyperband promotion", async_hb(AshaMode::Promotion, 40), true, false},
      {"async hyperband stopping", async_hb(AshaMode::Stopping, 30), false, true},
      {"hyperband + median rule",
       [](auto log) { return with_rule(std::make_unique<Hyperband>(fake_optimizer(log), epochs_ladder()), median()); },
       true, true},
      {"asha promotion + median rule", [a = asha(AshaMode::Promotion, 40)](auto log) { return with_rule(a(log), median()); },
       true, true},
      {"asha promotion + extrapolation",
       [a = asha(AshaMode::Promotion, 40)](auto log) { return with_rule(a(log), extrapolation()); }, true, false},
      {"asha stopping + extrapolation",
       [a = asha(AshaMode::Stopping, 30)](auto log) { return with_rule(a(log), extrapolation()); }, false, true},
      {"freeze-thaw",
       [](auto log) -> std::unique_ptr<Scheduler> {
         return std::make_unique<FreezeThaw>(fake_optimizer(log), epochs_ladder(),
                                             rungs::space::SearchSpace({rungs::space::real("x", 0, 1000)}),
                                             FreezeThawOptions{.max_cost = 300, .initial = 4, .candidates = 10}, 1);
       },
       true, false, false},
      {"pbt asynchronous", pbt(false), true, false, false, true},
      {"pbt synchronous", pbt(true), true, false, false, true},
  };
}

bool terminal(TrialState s) {
  return s == TrialState::Stopped || s == TrialState::Completed || s == TrialState::Failed;
}

}  // namespace

TEST_CASE("contract: every scheduler, driven by a multi-worker fake loop, answers and ends cleanly") {
  for (const Contender& c : contenders()) {
    for (std::uint64_t seed : {1u, 2u}) {
      CAPTURE(c.name);
      CAPTURE(seed);
      auto optimizer_log = std::make_shared<OptimizerLog>();
      std::unique_ptr<Scheduler> s = c.make(optimizer_log);
      const LoopLog log = rungs::test::run_loop(*s, LoopOptions{.workers = 3, .seed = seed});

      CHECK(log.max_outstanding == 3);  // several runs out at once
      CHECK(log.crashes > 0);
      CHECK(log.reports > 0);
      if (c.promotes) {
        CHECK(log.resumes > 0);
        CHECK(log.pauses >= log.resumes);  // every promoted trial waited first
      } else {
        CHECK(log.resumes == 0);
        CHECK(log.pauses == 0);
      }
      if (c.must_stop) CHECK(log.stops > 0);
      if (c.inherits) CHECK(log.inherits > 0);
      else CHECK(log.inherits == 0);

      std::size_t completed = 0;
      for (TrialId t = 1; t <= log.max_trial; ++t) {
        const TrialState state = s->state(t);
        CAPTURE(t);
        CHECK_MESSAGE(terminal(state), "trial left ", to_string(state));
        completed += state == TrialState::Completed;
      }
      CHECK(completed > 0);
      if (c.suggest_per_trial) CHECK(optimizer_log->suggested_levels.size() == log.max_trial);  // one suggest per trial

      // Unknown ids throw std::out_of_range; a trial with no run out throws std::logic_error.
      const TrialId unknown = log.max_trial + 1;
      CHECK_THROWS_AS(s->state(unknown), std::out_of_range);
      CHECK_THROWS_AS(s->on_report(unknown, Report{1, 0.5}), std::out_of_range);
      CHECK_THROWS_AS(s->on_run_end(unknown, RunEnd{0.5, false}), std::out_of_range);
      CHECK_THROWS_AS(s->state(0), std::out_of_range);
      CHECK_THROWS_AS(s->on_report(1, Report{1, 0.5}), std::logic_error);
      CHECK_THROWS_AS(s->on_run_end(1, RunEnd{0.5, false}), std::logic_error);
      CHECK(s->finished());
    }
  }
}
