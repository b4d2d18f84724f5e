#pragma once
// Dry runs: a campaign's own search space, budget ladder and scheduler, with trials simulated
// on a virtual clock (runners/simulated_runner.hpp) instead of launched, so that a campaign's
// settings (eta, budgets, workers, timeouts) can be tried in seconds: how long it would take,
// how busy the workers would be, how many runs it makes. The same loop, scheduler and
// optimizer run as in `rungs run`; only the runner differs.
//
// The synthetic trial (synthetic_trials) is a pure function of the seed, the configuration
// and the budget:
//
//  - Final value. z = SearchSpace::encode(config) in [0,1]^d; an inactive coordinate (NaN)
//    takes a fixed seeded value, so an inactive parameter contributes a constant.
//      Q(z) = (4/d) sum_i q_i (z_i - c_i)^2
//      f(z) = 0.05 + 0.8 (1 - exp(-Q(z))) prod_j (1 - a_j exp(-|z - b_j|^2 / (2 d w_j^2)))
//    in [0.05, 0.85): a random bowl (minimum 0.05 at c) with four random valleys that make
//    local minima, all drawn from the seed (q_i in [0.5, 2], c_i in [0.15, 0.85],
//    b_j in [0,1]^d, a_j in [0.3, 0.7], w_j in [0.1, 0.2]).
//  - Learning curve. The value after epoch e of E_max (the top level of the budget's
//    Continued dimension) is problems::learning_curve(1, f', k(z), e / E_max): it starts at
//    1 ("untrained") and reaches f' at E_max, with speed
//      k(z) = 0.5 (20 / 0.5)^u,  u = (1 + sin(2 pi (sum_i v_i z_i + phase))) / 2
//    (v_i in [3, 5], phase from the seed) unrelated to f, so curves cross. Fixed dimensions
//    (a data fraction) bias the value: f' = f + 0.25 (1 - r) (1 - f), with r the product over
//    fixed dimensions of value / value at the top level.
//  - Noise: each report adds noise * N(0,1), a deterministic draw from (seed, trial, epoch);
//    the value is then clamped to [0, 1].
//  - Reports: one line per epoch, `@rungs {"step": e, "<metric>": v}` in the default tagged
//    format. For a maximized metric (mode: max) the line carries 1 - v (an accuracy-like
//    number), so "better" means the same configuration either way.
//  - Cost: epoch_seconds x m(z) x c per epoch, where c = (cost(level) / cost(top)) /
//    (epochs / E_max) under the ladder's cost model (fidelity/cost_model.hpp): the fixed
//    dimensions' relative costs, r itself with the default product and cost_power 1,
//    fraction x (resolution / top)^2 with a resolution of cost_power 2; m(z) = exp(cost_spread n(z) -
//    cost_spread^2 / 2) is lognormal-ish with mean about 1 over the space (n(z) a seeded
//    random linear function of z, about N(0,1) for uniform z): some configurations are
//    steadily slower than others, as bigger models are.
//  - Resume (RUNGS_RESUME=1): the run starts after the epochs of level RUNGS_RESUME_LEVEL (the
//    level its checkpoint holds: a promotion's previous level, any lower one for freeze-thaw's
//    leaps) and is charged only the epochs it adds. A promotion
//    that changes a rerun-on-change dimension comes with RUNGS_RESUME=0 (fidelity/run_cost.hpp)
//    and trains from epoch 1.
//  - No Continued dimension: one report (step 1) at the end of the run, progress = units /
//    max units, cost = cost(level) / cost(top) x max units x epoch_seconds x m(z) (units x
//    epoch_seconds x m(z) when the cost is the units).
// The run exits with code 0 after its last report; timeouts apply in virtual time.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "campaign/campaign_loop.hpp"
#include "campaign/campaign_spec.hpp"
#include "campaign/progress_line.hpp"
#include "store/store.hpp"
#include "runners/simulated_runner.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::campaign {

struct SimulationOptions {
  std::uint64_t seed = 0;      // the synthetic landscape, curves, costs and noise
  double epoch_seconds = 60;   // mean virtual cost of one epoch at full fixed dimensions (> 0)
  double cost_spread = 0.5;    // sigma of the per-configuration log cost multiplier (>= 0)
  double noise = 0.01;         // standard deviation of the per-report noise (>= 0)
  std::size_t workers = 0;     // run_simulation: virtual workers; 0 = scheduler.max_concurrent
};

// The virtual epoch `rungs simulate` uses when --epoch-seconds is not given: 60 s, or less
// when the campaign has a trial.timeout that a mean run at the top budget would not fit in
// at 60 s per epoch: then a third of the timeout over the top run's epochs (the top value of
// the Continued dimension; the top units without one). A third, because m(z) above exceeds 3
// for under 1 % of configurations (cost_spread 0.5): the timeout then stops only the
// slowest outliers, as a timeout set for the real trainer would.
double default_epoch_seconds(const CampaignSpec& spec);

// The synthetic trials described above for `spec`'s space, ladder and metric. The model reads
// the launch's RUNGS_PARAMS, RUNGS_BUDGET, RUNGS_LEVEL, RUNGS_RESUME, RUNGS_RESUME_LEVEL and RUNGS_TRIAL_ID; a
// launch it cannot read throws (the runner reports it as a launch failure). Throws
// std::invalid_argument at once for bad options. The model copies what it needs from `spec`.
runners::TrialModel synthetic_trials(const CampaignSpec& spec, const SimulationOptions& options);

struct SimulationSummary {
  CampaignOutcome outcome;    // best result and totals, as `rungs run` reports them
  std::size_t workers = 0;
  double makespan = 0;        // virtual seconds from the first launch to the last exit
  double busy_seconds = 0;    // sum of run durations
  double utilization = 0;     // busy_seconds / (workers x makespan); 0 when nothing ran
  std::size_t runs = 0;       // runs launched
  std::size_t trials = 0;     // distinct trials
  std::size_t timeouts = 0;   // runs killed by trial.timeout (in virtual time)
  std::uint64_t events = 0;   // stdout lines and exits delivered
};

// Runs the campaign loop over `scheduler` with a SimulatedRunner of `workers` virtual workers
// and synthetic_trials(spec, options): results go to `store` (and trial directories beside
// it) exactly as for a real run, with virtual times. Concurrency is options.workers (default:
// the scheduler's max_concurrent); reports use the tagged JSON format whatever trial.report
// says. No signal handling: a simulation takes seconds. Deterministic: the same spec,
// scheduler seed and options give the same events. A store holding events is resumed: the
// runs that were out continue exactly where they were (a simulated checkpoint is perfect),
// so the campaign makes the decisions an uninterrupted one makes. The summary's makespan,
// busy time and utilization count only this process's part of a resumed simulation.
SimulationSummary run_simulation(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                                 const SimulationOptions& options, store::CampaignStore& store,
                                 ProgressLine* progress = nullptr);

// The same in a new campaign directory `output` (create_campaign_directory), for benchmarks
// and tests.
SimulationSummary run_simulation(const CampaignSpec& spec, scheduler::Scheduler& scheduler,
                                 const SimulationOptions& options, const std::filesystem::path& output,
                                 ProgressLine* progress = nullptr);

// The options as stored with a simulated campaign (store::CampaignInfo::options), and back.
nlohmann::json to_json(const SimulationOptions& options);
SimulationOptions simulation_options_from(const nlohmann::json& json);

}  // namespace rungs::campaign
