// Freeze-thaw with deep power laws (scheduler/freeze_thaw.hpp, power_law_ensemble.hpp): the
// model fits power laws with an uncertainty that shrinks with data, the decision continues good
// curves rather than bad ones, continuation jobs resume from the last level, limits hold, and
// the decisions are a function of the seed and the inputs only.
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <memory>
#include <random>
#include <vector>

#include "fake_loop.hpp"
#include "scheduler/freeze_thaw.hpp"

using namespace rungs;
using namespace rungs::scheduler;

namespace {

// Dynamic-size vectors: GCC 12 warns (-Warray-bounds) about Eigen's SSE loads of a Vector2f.
Eigen::VectorXf vec(std::initializer_list<float> values) {
  Eigen::VectorXf v(static_cast<Eigen::Index>(values.size()));
  Eigen::Index i = 0;
  for (float value : values) v(i++) = value;
  return v;
}

// A power law per configuration x in [0,1]^2: y(b) = 0.2 + 0.5 x0 + (0.3 + 0.4 x1) b^(-0.7).
double law(const Eigen::VectorXf& x, double b) { return 0.2 + 0.5 * x(0) + (0.3 + 0.4 * x(1)) * std::pow(b, -0.7); }

// Fits `curves` random configurations at budgets 1..8 and returns the mean absolute error and
// the mean ensemble spread at budget 27 over 50 held-out configurations.
std::pair<double, double> fit_and_score(std::size_t curves, std::size_t steps) {
  PowerLawEnsemble model(2, 1.0, PowerLawEnsembleOptions{}, 7);
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<float> u(0, 1);
  for (std::size_t c = 0; c < curves; ++c) {
    const float x0 = u(rng);
    const Eigen::VectorXf x = vec({x0, u(rng)});
    for (int b = 1; b <= 8; ++b) model.add(x, b, law(x, b));
  }
  model.train(steps);
  Eigen::MatrixXf held(2, 50);
  for (Eigen::Index j = 0; j < held.cols(); ++j) {
    const float x0 = u(rng);
    held.col(j) = vec({x0, u(rng)});
  }
  const auto predictions = model.predict(held, 27);
  double error = 0, spread = 0;
  for (Eigen::Index j = 0; j < held.cols(); ++j) {
    error += std::abs(predictions[static_cast<std::size_t>(j)].mean - law(held.col(j), 27));
    spread += predictions[static_cast<std::size_t>(j)].std;
  }
  return {error / 50, spread / 50};
}

// suggest() hands out {"x": values[0]}, {"x": values[1]}, ... (then the last one again).
class ListOptimizer : public optimizers::Optimizer {
 public:
  explicit ListOptimizer(std::vector<double> values) : values_(std::move(values)) {}
  space::Config suggest(const fidelity::Budget&) override {
    const double x = values_[std::min(next_++, values_.size() - 1)];
    return space::Config{{"x", x}};
  }
  void observe(const space::Config&, const fidelity::Budget&, double) override {}

 private:
  std::vector<double> values_;
  std::size_t next_ = 0;
};

space::SearchSpace unit_space() { return space::SearchSpace({space::real("x", 0, 1)}); }

// Epochs 1, 2, ..., 8: a linear ladder.
fidelity::BudgetLadder fine_ladder() {
  fidelity::Dimension epochs{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, 8}};
  return fidelity::BudgetLadder(1, 8, 3, {epochs}, fidelity::CostModel::units(), 1.0);
}

// Loss curve of x: good near 0, bad near 1.
double curve(double x, double epochs) { return 0.1 + 0.8 * x + 0.3 * std::pow(epochs, -0.5); }

std::vector<Job> drive_serially(Scheduler& s, std::size_t max_jobs) {
  std::vector<Job> jobs;
  while (jobs.size() < max_jobs) {
    const auto job = s.next();
    if (!job) break;
    jobs.push_back(*job);
    s.on_run_end(job->trial, RunEnd{curve(std::get<double>(job->config.at("x")), job->budget.values.at("epochs")), false});
  }
  return jobs;
}

FreezeThaw make(std::vector<double> xs, FreezeThawOptions options, std::uint64_t seed = 1) {
  return FreezeThaw(std::make_unique<ListOptimizer>(std::move(xs)), fine_ladder(), unit_space(), options, seed);
}

}  // namespace

TEST_CASE("deep power laws: the ensemble fits power laws, and its spread shrinks with data") {
  const auto [few_error, few_spread] = fit_and_score(3, 300);
  const auto [many_error, many_spread] = fit_and_score(200, 1500);
  CAPTURE(few_error);
  CAPTURE(few_spread);
  CAPTURE(many_error);
  CAPTURE(many_spread);
  CHECK(many_error < 0.05);  // values span 0.2 .. 0.95: a few percent of the range
  CHECK(many_error < few_error);
  CHECK(many_spread < 0.5 * few_spread);
}

TEST_CASE("deep power laws: bad inputs are refused") {
  CHECK_THROWS_AS(PowerLawEnsemble(0, 1.0, {}, 1), std::invalid_argument);
  CHECK_THROWS_AS(PowerLawEnsemble(2, 0.0, {}, 1), std::invalid_argument);
  CHECK_THROWS_AS(PowerLawEnsemble(2, 1.0, {.members = kMaxMembers + 1}, 1), std::invalid_argument);
  CHECK(PowerLawEnsemble(2, 1.0, {.members = kMaxMembers}, 1).members() == kMaxMembers);  // inline curves hold them all
  PowerLawEnsemble model(2, 1.0, {}, 1);
  CHECK_THROWS_AS(model.add(vec({0, 0, 0}), 1, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(model.add(vec({0, 0}), 1, std::nan("")), std::invalid_argument);
}

TEST_CASE("freeze-thaw: continuation jobs resume from the trial's last level, one level up (leap 1)") {
  FreezeThaw s = make({0.1, 0.5, 0.9}, FreezeThawOptions{.max_trials = 3, .initial = 3, .candidates = 0, .leap = 1});
  const auto jobs = drive_serially(s, 1000);
  std::map<TrialId, std::size_t> level;
  std::size_t resumed = 0;
  for (const Job& job : jobs) {
    if (!level.contains(job.trial)) {
      CHECK_FALSE(job.resume_from.has_value());
      CHECK(job.budget.level == 0);
    } else {
      REQUIRE(job.resume_from.has_value());
      CHECK(job.resume_from->level == level.at(job.trial));
      CHECK(job.budget.level == level.at(job.trial) + 1);
      ++resumed;
    }
    level[job.trial] = job.budget.level;
  }
  CHECK(resumed > 0);
  CHECK(s.finished());
  // max_trials only: every trial is continued to the top (8 epochs: 8 runs each).
  CHECK(jobs.size() == 3 * 8);
  for (TrialId t = 1; t <= 3; ++t) CHECK(s.state(t) == TrialState::Completed);
  CHECK(s.cost_charged() == doctest::Approx(3 * 8));  // a continued run is charged its increment
}

TEST_CASE("freeze-thaw: the model continues a clearly good curve rather than a clearly bad one") {
  // Three good configurations (x near 0) and three bad ones (x near 1), each run 1 epoch first.
  FreezeThaw s = make({0.95, 0.05, 0.9, 0.1, 0.85, 0.0},
                      FreezeThawOptions{.max_trials = 6, .initial = 6, .candidates = 0});
  drive_serially(s, 6);
  for (TrialId t = 1; t <= 6; ++t) CHECK(s.state(t) == TrialState::Waiting);
  // The model's decisions until a trial reaches the top (after that, a bad trial whose
  // prediction is wide may get one try: EI explores).
  std::vector<Job> jobs;
  while (s.count(TrialState::Completed) == 0 && jobs.size() < 20) {
    const auto job = drive_serially(s, 1);
    REQUIRE(job.size() == 1);
    jobs.push_back(job.front());
  }
  CHECK(s.count(TrialState::Completed) == 1);
  CHECK(jobs.size() >= 2);  // 7 levels to climb, leaps of 4
  for (const Job& job : jobs) {
    CAPTURE(job.trial);
    CHECK(job.resume_from.has_value());
    CHECK(std::get<double>(job.config.at("x")) < 0.5);  // trials 2, 4, 6
  }
  REQUIRE(s.last_choice().has_value());
  CHECK(s.last_choice()->resumed.has_value());
}

TEST_CASE("freeze-thaw: the race takes the predicted best trial to the top before any other decision") {
  // race_after 0: from the first model decision, until a trial has reached the top (8 epochs).
  FreezeThaw s = make({0.9, 0.05, 0.6, 0.8},
                      FreezeThawOptions{.max_trials = 4, .initial = 4, .candidates = 0, .leap = 1, .race_after = 0});
  drive_serially(s, 4);  // the initial design, 1 epoch each
  const auto jobs = drive_serially(s, 7);
  REQUIRE(jobs.size() == 7);
  for (const Job& job : jobs) CHECK(job.trial == 2);  // x = 0.05: the good curve, 7 levels up
  CHECK(s.state(2) == TrialState::Completed);
  CHECK(s.count(TrialState::Completed) == 1);
}

TEST_CASE("freeze-thaw: with other runs out, the racer runs to the top in one go") {
  FreezeThaw s = make({0.05, 0.9, 0.6, 0.8},
                      FreezeThawOptions{.max_trials = 4, .initial = 4, .candidates = 0, .leap = 1, .race_after = 0});
  std::vector<Job> initial;
  for (int i = 0; i < 4; ++i) initial.push_back(*s.next());
  for (int i = 0; i < 3; ++i)  // trial 4 (x = 0.8) stays out
    s.on_run_end(initial[i].trial, RunEnd{curve(std::get<double>(initial[i].config.at("x")), 1), false});
  const auto racer = s.next();
  REQUIRE(racer.has_value());
  CHECK(racer->trial == 1);  // x = 0.05
  CHECK(racer->resume_from->level == 0);
  CHECK(racer->budget.level == 7);  // alone it would leap 1 level (the race test above)
}

TEST_CASE("freeze-thaw: a decision scores the paused trials, the proposal, the uniform candidates and their neighbours") {
  for (const std::size_t local : {0, 30}) {
    FreezeThaw s = make({0.9, 0.6, 0.8, 0.7},
                        FreezeThawOptions{.max_trials = 14, .initial = 4, .candidates = 3, .local = local});
    drive_serially(s, 5);  // the initial design, then the first decision
    REQUIRE(s.last_choice().has_value());
    CHECK(s.last_choice()->scored == 4 + 1 + 3 + local);
    CHECK(drive_serially(s, 1000).size() > 10);  // whatever it starts runs: neighbours are valid configurations
    CHECK(s.count(TrialState::Running) == 0);
  }
}

TEST_CASE("freeze-thaw: the leader leaps `leap` levels, every other continuation one") {
  FreezeThaw s = make({0.9, 0.05, 0.6, 0.8}, FreezeThawOptions{.max_trials = 4, .initial = 4, .candidates = 0, .leap = 3});
  drive_serially(s, 4);  // the initial design, 1 epoch each
  const auto jobs = drive_serially(s, 1000);
  REQUIRE_FALSE(jobs.empty());
  CHECK(jobs.front().trial == 2);  // x = 0.05, the best curve: level 0 -> 3
  CHECK(jobs.front().budget.level == 3);
  std::size_t leaps = 0;
  for (const Job& job : jobs) {
    REQUIRE(job.resume_from.has_value());
    const std::size_t up = job.budget.level - job.resume_from->level;
    CAPTURE(job.trial);
    CHECK((up == 1 || up == 3 || job.budget.level == 7));  // a leap stops at the top
    leaps += up > 1;
  }
  CHECK(leaps >= 2);
  CHECK(s.state(2) == TrialState::Completed);
}

TEST_CASE("freeze-thaw: a paused trial's prediction is anchored at its own newest value") {
  // Four trials of one configuration (the networks cannot tell them apart), the last one's runs
  // 0.3 better: only its observed values can make it the one to continue (without the anchor,
  // four equal predictions, and ties go to the first).
  FreezeThaw s = make({0.5}, FreezeThawOptions{.max_trials = 4, .initial = 4, .candidates = 0, .race_after = -1});
  auto answer = [&s](const Job& job) {
    const double value = curve(0.5, job.budget.values.at("epochs")) - (job.trial == 4 ? 0.3 : 0.0);
    s.on_run_end(job.trial, RunEnd{value, false});
  };
  for (int i = 0; i < 4; ++i) answer(*s.next());
  const auto job = s.next();
  REQUIRE(job.has_value());
  CHECK(job->trial == 4);
}

TEST_CASE("freeze-thaw: a cost limit stops launches, and what is paused ends Stopped") {
  FreezeThaw s = make({0.3, 0.6}, FreezeThawOptions{.max_cost = 20, .initial = 2, .candidates = 5});
  const auto jobs = drive_serially(s, 1000);
  CHECK(s.finished());
  CHECK(s.cost_charged() >= 20);
  CHECK(s.cost_charged() < 20 + 4 + 1e-9);  // the last launch crosses it by at most one leap (4 epochs)
  std::size_t stopped = 0;
  for (const auto& t : s.trials()) {
    CHECK(t.state != TrialState::Running);
    CHECK(t.state != TrialState::Waiting);
    stopped += t.state == TrialState::Stopped;
  }
  CHECK(stopped > 0);
  CHECK_FALSE(s.next().has_value());
}

TEST_CASE("freeze-thaw: the same seed gives the same decisions, another seed others") {
  auto run = [](std::uint64_t seed) {
    FreezeThaw s = make({0.3, 0.6, 0.2}, FreezeThawOptions{.max_cost = 60, .initial = 3, .candidates = 20}, seed);
    std::vector<std::pair<TrialId, std::size_t>> decisions;
    std::vector<double> xs;
    for (const Job& job : drive_serially(s, 1000)) {
      decisions.emplace_back(job.trial, job.budget.level);
      xs.push_back(std::get<double>(job.config.at("x")));
    }
    return std::make_pair(decisions, xs);
  };
  const auto a = run(11), b = run(11), c = run(12);
  CHECK(a == b);
  CHECK(a != c);
}

TEST_CASE("freeze-thaw: several workers never get one trial twice at once, failures end a trial") {
  auto optimizer_log = std::make_shared<test::OptimizerLog>();
  FreezeThaw s(test::fake_optimizer(optimizer_log), test::epochs_ladder(),
               space::SearchSpace({space::real("x", 0, 1000)}), FreezeThawOptions{.max_cost = 400, .initial = 4}, 5);
  const auto log = test::run_loop(s, test::LoopOptions{.workers = 4, .seed = 3});  // checks no trial twice at once
  CHECK(log.max_outstanding == 4);
  CHECK(log.resumes > 0);
  CHECK(log.crashes > 0);
  CHECK(s.finished());
  CHECK(s.count(TrialState::Failed) > 0);
  CHECK(s.count(TrialState::Running) == 0);
  CHECK(s.count(TrialState::Waiting) == 0);
}

TEST_CASE("freeze-thaw: configuration errors") {
  auto make_with = [](FreezeThawOptions options) { return make({0.5}, options); };
  CHECK_THROWS_AS(make_with({}), std::invalid_argument);                                  // no limit
  CHECK_THROWS_AS(make_with({.max_trials = 0}), std::invalid_argument);
  CHECK_THROWS_AS(make_with({.max_cost = -1}), std::invalid_argument);
  CHECK_THROWS_AS(make_with({.max_trials = 3, .initial = 0}), std::invalid_argument);
  CHECK_THROWS_AS(make_with({.max_trials = 3, .leap = 0}), std::invalid_argument);
}
