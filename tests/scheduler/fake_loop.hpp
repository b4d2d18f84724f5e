#pragma once
// A deterministic fake campaign loop with a fixed number of workers, for the scheduler contract
// test: runs report one step at a time, interleaved in a seeded pseudo-random order (so several
// runs are outstanding and some straggle), report values come from a seeded function, some runs
// crash, some reports are NaN, Stop answers terminate the run (ended with its last value, as
// campaign_loop.cpp does). Every contract check that can be made on the fly is made here.
#include <doctest/doctest.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "fake_optimizer.hpp"
#include "fidelity/ladder.hpp"
#include "scheduler/scheduler.hpp"

namespace rungs::test {

// splitmix64: a small, good integer hash.
inline std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}
inline std::uint64_t mix(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0) { return mix(mix(mix(a) ^ b) ^ c); }
inline double unit(std::uint64_t h) { return static_cast<double>(h >> 11) * 0x1.0p-53; }  // [0, 1)

// A ladder whose steps are epochs: 1, 3, 9, 27 for (27, 3); epochs is the continued dimension.
inline fidelity::BudgetLadder epochs_ladder(double max_epochs = 27, double eta = 3) {
  fidelity::Dimension epochs{"epochs", true, fidelity::Growth::Continued, fidelity::Geometric{1, max_epochs}};
  return fidelity::BudgetLadder(1, max_epochs, eta, {epochs});
}

// Learning curve of configuration x: quality q(x) in [0, 1), converging as 1/sqrt(step), noise.
inline double curve_value(std::uint64_t seed, double x, double step) {
  const auto xi = static_cast<std::uint64_t>(x);
  const double q = unit(mix(seed, xi, 1));
  return q + (0.3 + q) / std::sqrt(step) + 0.02 * (unit(mix(seed, xi, static_cast<std::uint64_t>(step) + 7)) - 0.5);
}

struct LoopOptions {
  std::size_t workers = 3;
  std::uint64_t seed = 1;
  std::uint64_t crash_one_in = 9;  // a run crashes (at a seeded step, before reporting it)
  std::uint64_t nan_one_in = 23;   // a report is NaN
  std::size_t max_events = 500000;
};

struct LoopLog {
  std::vector<scheduler::Job> jobs;
  std::size_t reports = 0;
  std::size_t run_ends = 0;    // on_run_end calls: one per job
  std::size_t stops = 0;       // runs terminated on a Stop answer
  std::size_t crashes = 0;
  std::size_t resumes = 0;     // jobs with resume_from (promotions)
  std::size_t inherits = 0;    // jobs of new trials starting from another's checkpoint (PBT)
  std::size_t pauses = 0;      // run ends that left the trial Waiting
  std::size_t max_outstanding = 0;
  scheduler::TrialId max_trial = 0;
};

inline LoopLog run_loop(scheduler::Scheduler& s, const LoopOptions& o) {
  using namespace scheduler;
  struct Run {
    Job job;
    double step = 0;      // last step reported
    double end_step = 0;
    bool crashes = false;
    double crash_step = 0;  // crashes before reporting this step
    double last_value = std::numeric_limits<double>::quiet_NaN();
  };
  LoopLog log;
  std::map<TrialId, Run> out;                   // outstanding runs by trial
  std::map<TrialId, std::size_t> last_level;    // level of each trial's last run
  auto epochs_of = [](const fidelity::Budget& b) { return b.values.at("epochs"); };

  for (std::size_t event = 0; event < o.max_events; ++event) {
    // Fill the free workers.
    while (out.size() < o.workers) {
      std::optional<Job> job = s.next();
      if (!job) break;
      const TrialId t = job->trial;
      REQUIRE_MESSAGE(!out.contains(t), "trial ", t, " handed out while a run of it is out");
      const bool seen = last_level.contains(t);
      // A PBT trial that inherits another's checkpoint starts from it (resume_from, never seen before).
      CHECK_MESSAGE(job->resume_from.has_value() == (seen || job->inherits.has_value()),
                    "resume_from must be set exactly on promotions and inheritances");
      if (job->inherits) {
        CHECK_FALSE(seen);
        REQUIRE(last_level.contains(job->inherits->donor));  // the donor ran
        CHECK(job->resume_from->level <= last_level.at(job->inherits->donor));
        ++log.inherits;
      }
      if (job->resume_from && seen) {
        CHECK(job->resume_from->level == last_level.at(t));
        CHECK(job->budget.level > job->resume_from->level);
        ++log.resumes;
      }
      CHECK(s.state(t) == TrialState::Running);
      Run run;
      run.job = *job;
      run.step = job->resume_from ? epochs_of(*job->resume_from) : 0;
      run.end_step = epochs_of(job->budget);
      run.crashes = mix(o.seed, t, job->budget.level + 100) % o.crash_one_in == 0;
      const auto span = std::min<std::uint64_t>(static_cast<std::uint64_t>(run.end_step - run.step), 4);  // early
      run.crash_step = run.step + 1 + static_cast<double>(mix(o.seed, t, job->budget.level + 200) % span);
      out.emplace(t, run);
      last_level[t] = job->budget.level;
      log.jobs.push_back(*job);
      log.max_trial = std::max(log.max_trial, t);
    }
    log.max_outstanding = std::max(log.max_outstanding, out.size());
    if (out.empty()) {
      REQUIRE_MESSAGE(s.finished(), "scheduler stalled: nothing to hand out, nothing running, not finished");
      break;
    }
    CHECK_FALSE(s.finished());

    auto end_run = [&](TrialId t, const RunEnd& end) {
      s.on_run_end(t, end);
      ++log.run_ends;
      const TrialState after = s.state(t);
      CHECK_MESSAGE(after != TrialState::Running, "trial ", t, " still Running after its run ended");
      log.pauses += after == TrialState::Waiting;
    };

    // Advance one outstanding run by one step.
    auto it = out.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(mix(o.seed, event, 3) % out.size()));
    Run& run = it->second;
    const TrialId t = it->first;
    const double step = run.step + 1;
    if (run.crashes && step >= run.crash_step) {
      end_run(t, RunEnd{std::numeric_limits<double>::quiet_NaN(), true});
      ++log.crashes;
      out.erase(it);
      continue;
    }
    const double x = x_of(run.job.config);
    const bool nan = mix(o.seed, static_cast<std::uint64_t>(x), static_cast<std::uint64_t>(step) + 50) % o.nan_one_in == 0;
    const double value = nan ? std::numeric_limits<double>::quiet_NaN() : curve_value(o.seed, x, step);
    run.step = step;
    run.last_value = value;
    ++log.reports;
    if (s.on_report(t, Report{step, value}) == Decision::Stop) {
      ++log.stops;
      end_run(t, RunEnd{value, false});  // stopped: the loop sends the last value
      out.erase(it);
    } else if (step >= run.end_step) {
      end_run(t, RunEnd{value, false});
      out.erase(it);
    }
  }
  CHECK(out.empty());
  CHECK(log.run_ends == log.jobs.size());  // every Job answered exactly once
  CHECK(s.finished());
  CHECK_FALSE(s.next().has_value());
  return log;
}

}  // namespace rungs::test
