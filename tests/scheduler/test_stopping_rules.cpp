// Stopping rules: the median rule on hand-made curves, the curve model on synthetic curves, the
// extrapolation rule on curves whose outcome is known, and the WithStoppingRule decorator.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <span>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <vector>

#include "fake_loop.hpp"
#include "fake_optimizer.hpp"
#include "scheduler/asha.hpp"
#include "scheduler/curve_extrapolation.hpp"
#include "scheduler/curve_model.hpp"
#include "scheduler/hyperband.hpp"
#include "scheduler/median_stopping.hpp"
#include "scheduler/stopping_rule.hpp"

using namespace rungs::scheduler;
using rungs::test::fake_optimizer;
using rungs::test::OptimizerLog;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Feeds steps 1..n of a curve; returns the first step answered Stop (0 if none).
double feed(StoppingRule& rule, TrialId trial, const std::function<double(double)>& curve, int from, int to) {
  for (int step = from; step <= to; ++step)
    if (rule.on_report(trial, Report{static_cast<double>(step), curve(step)}) == Decision::Stop) return step;
  return 0;
}

}  // namespace

TEST_CASE("median rule: stop when the best so far is worse than the median of the others' running averages") {
  MedianStoppingRule rule(MedianStoppingOptions{.grace_period = 0, .min_samples = 2});
  const std::vector<std::vector<double>> curves{{1.0, 0.8, 0.6}, {0.9, 0.7, 0.5}, {1.2, 1.0, 0.9}};
  for (std::size_t i = 0; i < curves.size(); ++i) {
    for (std::size_t s = 0; s < 3; ++s) rule.on_report(i + 1, Report{static_cast<double>(s + 1), curves[i][s]});
  }
  CHECK(*rule.running_average(1, 2) == doctest::Approx(0.9));
  CHECK(*rule.best_so_far(3, 3) == doctest::Approx(0.9));
  CHECK_FALSE(rule.running_average(1, 4).has_value());  // has not reached step 4

  // Step 1: others' averages 1.0, 0.9, 1.2 -> median 1.0.
  CHECK(rule.on_report(4, Report{1, 1.1}) == Decision::Stop);
  // Now 1.0, 0.9, 1.2, 1.1 -> median 1.05.
  CHECK(rule.on_report(5, Report{1, 1.0}) == Decision::Continue);
  CHECK(rule.median_at(1, 5)->value == doctest::Approx(1.05));
  CHECK(rule.median_at(1, 5)->samples == 4);

  // Step 2 counts only trials that reached step 2 (1, 2, 3), by running average: 0.9, 0.8, 1.1
  // -> median 0.9. Trial 6's best, 0.85, is better: it continues, although it is worse than
  // the median of the raw values at step 2 (0.8).
  CHECK(rule.on_report(6, Report{1, 1.3}) == Decision::Stop);  // step 1 alone is bad
  CHECK(rule.on_report(6, Report{2, 0.85}) == Decision::Continue);
  CHECK(rule.on_report(7, Report{1, 1.3}) == Decision::Stop);
  // Trial 6 reached step 2 too: averages 0.9, 0.8, 1.1, 1.075 -> median 0.9875.
  CHECK(rule.on_report(7, Report{2, 0.95}) == Decision::Continue);
  CHECK(rule.on_report(8, Report{1, 0.5}) == Decision::Continue);
  CHECK(rule.on_report(8, Report{2, 1.05}) == Decision::Continue);  // its best is still 0.5
  CHECK(rule.on_report(9, Report{2, 1.05}) == Decision::Stop);      // 1.05 > median
}

TEST_CASE("median rule: grace period and min_samples") {
  MedianStoppingRule rule(MedianStoppingOptions{.grace_period = 3, .min_samples = 3});
  for (TrialId t = 1; t <= 2; ++t) feed(rule, t, [](double s) { return 1.0 / s; }, 1, 5);
  // Only two others: never enough samples.
  CHECK(feed(rule, 3, [](double s) { return 10.0 / s; }, 1, 5) == 0);
  // A third other now: trial 4 is judged from step 3 (the grace period) on, not before.
  CHECK(feed(rule, 4, [](double s) { return 10.0 / s; }, 1, 5) == 3);
  CHECK_THROWS_AS(MedianStoppingRule(MedianStoppingOptions{.min_samples = 0}), std::invalid_argument);
  CHECK_THROWS_AS(MedianStoppingRule(MedianStoppingOptions{.grace_period = -1}), std::invalid_argument);
}

TEST_CASE("median rule: NaN and inf reports count as the worst value") {
  MedianStoppingRule rule(MedianStoppingOptions{.min_samples = 2});
  for (TrialId t = 1; t <= 4; ++t) rule.on_report(t, Report{1, 0.4 + 0.1 * static_cast<double>(t)});  // .5 .. .8
  CHECK(rule.on_report(5, Report{1, kNaN}) == Decision::Stop);   // median 0.65
  CHECK(rule.on_report(6, Report{1, -kInf}) == Decision::Stop);  // garbage, not a perfect loss
  CHECK(rule.on_report(7, Report{1, kInf}) == Decision::Stop);
  CHECK(*rule.best_so_far(6, 1) == kInf);
  CHECK(*rule.running_average(5, 1) == kInf);
  // A later finite value does not wash the NaN out of the running average, but is a new best.
  rule.on_report(5, Report{2, 0.1});
  CHECK(*rule.running_average(5, 2) == kInf);
  CHECK(*rule.best_so_far(5, 2) == doctest::Approx(0.1));

  // With most others at +inf the median is +inf: nothing is strictly worse, not even +inf.
  MedianStoppingRule garbage(MedianStoppingOptions{.min_samples = 2});
  garbage.on_report(1, Report{1, 0.5});
  garbage.on_report(2, Report{1, kNaN});
  garbage.on_report(3, Report{1, kInf});
  CHECK(garbage.median_at(1, 4)->value == kInf);  // 0.5, inf, inf
  CHECK(garbage.on_report(4, Report{1, 100.0}) == Decision::Continue);
  CHECK(garbage.on_report(5, Report{1, kNaN}) == Decision::Continue);
}

TEST_CASE("curve model: Levenberg-Marquardt recovers synthetic curves of its families") {
  std::vector<double> steps;
  for (int s = 1; s <= 8; ++s) steps.push_back(s);
  auto values_of = [&](const std::function<double(double)>& f) {
    std::vector<double> v;
    for (double s : steps) v.push_back(f(s));
    return v;
  };
  const auto pow3 = [](double x) { return 0.2 + 0.8 * std::pow(x, -0.5); };
  const auto exp3 = [](double x) { return -1.5 + 2.0 * std::exp(-0.3 * x); };
  const auto mmf = [](double x) { return 0.1 + 1.0 / (1 + std::pow(0.5 * x, 1.5)); };
  const auto jan = [](double x) { return 0.3 + 0.9 * std::exp(-0.4 * std::pow(x, 0.8)); };

  const auto p = fit_curve(CurveFamily::Pow3, steps, values_of(pow3), 27);
  REQUIRE(p);
  CHECK(p->sse < 1e-10);
  CHECK(p->predict(27) == doctest::Approx(pow3(27)).epsilon(1e-3));
  const auto e = fit_curve(CurveFamily::Exp3, steps, values_of(exp3), 27);
  REQUIRE(e);
  CHECK(e->predict(27) == doctest::Approx(exp3(27)).epsilon(1e-3));
  const auto m = fit_curve(CurveFamily::Mmf4, steps, values_of(mmf), 27);
  REQUIRE(m);
  CHECK(m->predict(27) == doctest::Approx(mmf(27)).epsilon(1e-2));
  const auto j = fit_curve(CurveFamily::Janoschek4, steps, values_of(jan), 27);
  REQUIRE(j);
  CHECK(j->predict(27) == doctest::Approx(jan(27)).epsilon(1e-2));

  // Too few points for a 4-parameter family; a forecast combines what fits.
  const std::vector<double> mmf_values = values_of(mmf);
  CHECK_FALSE(fit_curve(CurveFamily::Mmf4, std::span(steps).first(4), std::span(mmf_values).first(4), 27));
  const auto forecast = forecast_curve(steps, values_of(pow3), 27);
  REQUIRE(forecast);
  CHECK(forecast->fits.size() == 4);
  CHECK(forecast->weights == std::vector<double>(4, 0.25));
  // Equal weights: the other families pull the mean, but the truth is well inside the forecast.
  CHECK(std::abs(forecast->mean - pow3(27)) < 2 * forecast->std);
  CHECK(forecast->std < 0.2);
  CHECK(forecast->probability_below(forecast->mean) == doctest::Approx(0.5));
  CHECK_THROWS_AS(forecast_curve(steps, std::vector<double>{1.0}, 27), std::invalid_argument);
}

TEST_CASE("extrapolation rule: a curve converging to a clearly worse value is stopped early, a better one is not") {
  CurveExtrapolationRule rule(CurveExtrapolationOptions{.final_step = 27});
  const auto incumbent = [](double x) { return 0.2 + 0.8 / x; };            // final 0.2296
  const auto worse = [](double x) { return 0.6 + 0.5 * std::exp(-0.3 * x); };  // -> 0.6
  const auto better = [](double x) { return 0.1 + 0.9 * std::pow(x, -0.7); };  // final 0.190

  // Without an incumbent nothing is stopped, however bad.
  CHECK(feed(rule, 1, worse, 1, 8) == 0);
  CHECK(feed(rule, 2, incumbent, 1, 27) == 0);
  CHECK(rule.incumbent() == doctest::Approx(incumbent(27)));

  // With one: the worse curve stops as soon as it has min_points (5) points.
  CHECK(feed(rule, 3, worse, 1, 26) == 5);
  const auto verdict = rule.last_verdict(3);
  REQUIRE(verdict);
  CHECK(verdict->mean == doctest::Approx(0.6).epsilon(0.05));
  CHECK(verdict->probability < 0.05);
  // The better curve runs to the end.
  CHECK(feed(rule, 4, better, 1, 26) == 0);
  CHECK(rule.last_verdict(4)->mean < rule.incumbent());

  // Noisy curves (seeded noise, 1% of the range): same outcome.
  const auto noise = [](double x, std::uint64_t seed) {
    return 0.01 * (rungs::test::unit(rungs::test::mix(seed, static_cast<std::uint64_t>(x))) - 0.5);
  };
  const double stop = feed(rule, 5, [&](double x) { return worse(x) + noise(x, 5); }, 1, 26);
  CHECK(stop >= 5);
  CHECK(stop <= 8);
  CHECK(feed(rule, 6, [&](double x) { return better(x) + noise(x, 6); }, 1, 26) == 0);
}

TEST_CASE("extrapolation rule: min_points, NaN reports and the incumbent from run ends") {
  CurveExtrapolationRule rule(CurveExtrapolationOptions{.final_step = 10, .min_points = 4});
  CHECK(rule.on_report(1, Report{1, kNaN}) == Decision::Continue);  // no incumbent yet
  rule.on_report(1, Report{10, 0.5});
  rule.on_run_end(1, RunEnd{0.4, false});  // reached the final step: its end value counts
  CHECK(rule.incumbent() == doctest::Approx(0.4));
  rule.on_report(2, Report{3, 0.1});
  rule.on_run_end(2, RunEnd{0.01, false});  // did not reach the final step: no incumbent
  CHECK(rule.incumbent() == doctest::Approx(0.4));

  const auto bad = [](double x) { return 2.0 + 1.0 / x; };
  CHECK(feed(rule, 3, bad, 1, 3) == 0);  // three points < min_points
  CHECK(feed(rule, 3, bad, 4, 4) == 4);
  CHECK(rule.on_report(5, Report{1, kInf}) == Decision::Stop);  // the worst value, with an incumbent
  CHECK(rule.on_report(6, Report{1, kNaN}) == Decision::Stop);

  CHECK_THROWS_AS(CurveExtrapolationRule(CurveExtrapolationOptions{}), std::invalid_argument);  // no final step
  CHECK_THROWS_AS(CurveExtrapolationRule(CurveExtrapolationOptions{.final_step = 9, .min_points = 2}),
                  std::invalid_argument);
  CHECK_THROWS_AS(CurveExtrapolationRule(CurveExtrapolationOptions{.final_step = 9, .threshold = 1}),
                  std::invalid_argument);
  CHECK_THROWS_AS(CurveExtrapolationRule(CurveExtrapolationOptions{.final_step = 9, .families = {}}),
                  std::invalid_argument);
}

namespace {

// A rule that stops the listed trials at their first report, and records what it saw.
struct ScriptedRule : StoppingRule {
  std::vector<TrialId> stop;
  std::vector<TrialId> ended;
  std::vector<RunEnd> ends;
  Decision on_report(TrialId trial, const Report&) override {
    return std::find(stop.begin(), stop.end(), trial) != stop.end() ? Decision::Stop : Decision::Continue;
  }
  void on_run_end(TrialId trial, const RunEnd& end) override {
    ended.push_back(trial);
    ends.push_back(end);
  }
};

}  // namespace

TEST_CASE("with stopping rule: Stop from either side, the inner scheduler sees a rule stop as a failure") {
  auto log = std::make_shared<OptimizerLog>();
  auto rule = std::make_unique<ScriptedRule>();
  ScriptedRule* script = rule.get();
  script->stop = {2};
  auto inner = std::make_unique<SuccessiveHalving>(fake_optimizer(log), rungs::test::ladder(1, 3, 3),
                                                   SuccessiveHalvingOptions{.initial_configs = 3});
  SuccessiveHalving* sh = inner.get();
  WithStoppingRule s(std::move(inner), std::move(rule));

  std::vector<Job> jobs;
  while (auto job = s.next()) jobs.push_back(*job);
  REQUIRE(jobs.size() == 3);  // 3 at level 0, then 1 at level 1 (floor(3/3) = 1)
  CHECK(s.on_report(1, Report{1, 0.9}) == Decision::Continue);
  CHECK(s.on_report(2, Report{1, 0.1}) == Decision::Stop);   // the rule
  CHECK(s.on_report(2, Report{1, 0.1}) == Decision::Stop);   // stays Stop for this run
  CHECK(s.state(2) == TrialState::Running);                  // until the run ends
  s.on_run_end(2, RunEnd{0.1, false});                       // the loop sends the last value...
  CHECK(sh->state(2) == TrialState::Failed);                 // ...the inner scheduler sees a failure
  CHECK(s.state(2) == TrialState::Stopped);
  CHECK(script->ends.back().failed == false);                // the rule sees the RunEnd as it came
  CHECK(log->observed.back().value == kInf);
  s.on_run_end(1, RunEnd{0.9, false});
  s.on_run_end(3, RunEnd{0.5, false});
  // Trial 2 had the best value but was stopped by the rule: trial 3 is promoted.
  const auto promoted = s.next();
  REQUIRE(promoted);
  CHECK(promoted->trial == 3);
  CHECK(promoted->resume_from.has_value());
  s.on_run_end(3, RunEnd{0.4, false});
  CHECK(s.finished());
  CHECK(s.state(3) == TrialState::Completed);
  CHECK(s.stopped_by_rule() == 1);
  CHECK(script->ended == std::vector<TrialId>{2, 1, 3, 3});

  CHECK_THROWS_AS(s.on_report(42, Report{1, 0}), std::out_of_range);
  CHECK_THROWS_AS(s.on_run_end(42, RunEnd{}), std::out_of_range);
  CHECK_THROWS_AS(s.state(42), std::out_of_range);
  CHECK_THROWS_AS(s.on_report(2, Report{1, 0}), std::logic_error);  // no run out
  CHECK_THROWS_AS(WithStoppingRule(nullptr, std::make_unique<ScriptedRule>()), std::invalid_argument);
}

TEST_CASE("with stopping rule: the inner scheduler's own Stop is its own (state from the inner scheduler)") {
  auto rule = std::make_unique<ScriptedRule>();
  rule->stop = {1, 2, 3, 4};  // the rule would stop everybody too, but the inner scheduler is first
  auto inner = std::make_unique<Asha>(fake_optimizer(std::make_shared<OptimizerLog>()),
                                      rungs::test::epochs_ladder(9, 3),
                                      AshaOptions{.mode = AshaMode::Stopping, .max_trials = 3});
  Asha* asha = inner.get();
  WithStoppingRule s(std::move(inner), std::move(rule));
  for (int i = 0; i < 3; ++i) REQUIRE(s.next());
  CHECK(s.on_report(1, Report{1, 0.1}) == Decision::Stop);  // the rule; ASHA: 1 value, continue
  CHECK(s.on_report(2, Report{1, 0.2}) == Decision::Stop);  // the rule; ASHA: 2 values, continue
  CHECK(s.on_report(3, Report{1, 0.9}) == Decision::Stop);    // ASHA's own stop (3 values, not top 1)
  s.on_run_end(1, RunEnd{0.1, false});
  s.on_run_end(2, RunEnd{0.2, false});
  s.on_run_end(3, RunEnd{0.9, false});
  CHECK(asha->state(1) == TrialState::Failed);
  CHECK(asha->state(3) == TrialState::Stopped);
  CHECK(s.state(1) == TrialState::Stopped);
  CHECK(s.state(3) == TrialState::Stopped);
  CHECK(s.stopped_by_rule() == 2);
  CHECK(s.finished());
}
