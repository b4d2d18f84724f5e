// How a run ended (judge_run_end) and whether it is retried (may_retry), without processes.
#include <doctest/doctest.h>

#include <csignal>

#include "campaign/run_end.hpp"

using namespace rungs;

namespace {

runners::ExitStatus exited(int code) {
  runners::ExitStatus status;
  status.kind = runners::ExitStatus::Kind::Exited;
  status.code = code;
  return status;
}

runners::ExitStatus terminated(bool timed_out = false, bool stale = false) {
  runners::ExitStatus status;
  status.kind = runners::ExitStatus::Kind::Signaled;
  status.signal = SIGTERM;
  status.stopped = true;
  status.timed_out = timed_out;
  status.stale = stale;
  return status;
}

campaign::TrialSpec trial_spec(campaign::TrialSpec::OnStale on_stale = campaign::TrialSpec::OnStale::Fail,
                               std::size_t retries = 0) {
  campaign::TrialSpec trial;
  trial.on_stale = on_stale;
  trial.retries = retries;
  return trial;
}

}  // namespace

TEST_CASE("run end: completed, stopped by the scheduler, stale-stopped or failed") {
  using campaign::RunEndKind;
  using OnStale = campaign::TrialSpec::OnStale;
  const campaign::RunFacts reported{false, true, 1};
  const campaign::RunFacts silent{false, false, 1};
  const campaign::RunFacts stopped{true, true, 1};
  const auto judge = [](const runners::ExitStatus& status, const campaign::RunFacts& facts, OnStale on_stale = OnStale::Fail) {
    return campaign::judge_run_end(status, facts, trial_spec(on_stale), "loss");
  };

  CHECK(judge(exited(0), reported).kind == RunEndKind::Completed);
  CHECK(judge(exited(0), reported).failure.empty());
  const auto no_metric = judge(exited(0), silent);
  CHECK(no_metric.failed());
  CHECK(no_metric.failure == "exited without reporting 'loss': it printed no report line");
  CHECK(campaign::judge_run_end(exited(0), silent, trial_spec(OnStale::Fail), "loss", {"train_loss", "acc"}).failure ==
        "exited without reporting 'loss'; it reported train_loss, acc");
  const auto crashed = judge(exited(3), reported);
  CHECK(crashed.failed());
  CHECK(crashed.failure == runners::describe(exited(3)));

  // Asked to stop: whatever it did on the way out, unless a limit of the runner ended it.
  CHECK(judge(terminated(), stopped).kind == RunEndKind::Stopped);
  CHECK(judge(exited(0), stopped).kind == RunEndKind::Stopped);
  CHECK(judge(exited(1), stopped).kind == RunEndKind::Stopped);
  CHECK(judge(terminated(/*timed_out=*/true), stopped).failed());
  CHECK(judge(terminated(false, /*stale=*/true), stopped).failed());
  runners::ExitStatus never_ran;
  never_ran.kind = runners::ExitStatus::Kind::LaunchFailed;
  never_ran.error = "no such program";
  CHECK(judge(never_ran, stopped).failed());

  // A run the runner itself stopped (not the scheduler) failed.
  CHECK(judge(terminated(), reported).failed());
  CHECK(judge(terminated(true), reported).failed());

  // Stale: with on_stale: stop it ends with its last value if it reported one.
  CHECK(judge(terminated(false, true), reported, OnStale::Stop).kind == RunEndKind::StaleStop);
  CHECK(judge(terminated(false, true), silent, OnStale::Stop).failed());
  CHECK(judge(terminated(false, true), reported, OnStale::Fail).failed());
  CHECK(judge(terminated(false, true), reported, OnStale::Retry).failed());
}

TEST_CASE("run end: a failed run is retried while attempts are left, never after a stop decision") {
  using OnStale = campaign::TrialSpec::OnStale;
  const auto retries2 = trial_spec(OnStale::Fail, 2);
  CHECK(campaign::may_retry(exited(3), {false, true, 1}, retries2));
  CHECK(campaign::may_retry(exited(3), {false, false, 2}, retries2));
  CHECK_FALSE(campaign::may_retry(exited(3), {false, true, 3}, retries2));  // 1 + 2 retries done
  CHECK_FALSE(campaign::may_retry(exited(3), {false, true, 1}, trial_spec()));
  CHECK_FALSE(campaign::may_retry(terminated(true), {true, true, 1}, retries2));
  CHECK(campaign::may_retry(terminated(true), {false, true, 1}, retries2));  // a timeout is retried
  // Stale: retried only with on_stale: retry.
  CHECK_FALSE(campaign::may_retry(terminated(false, true), {false, true, 1}, retries2));
  CHECK(campaign::may_retry(terminated(false, true), {false, true, 1}, trial_spec(OnStale::Retry, 2)));
  CHECK_FALSE(campaign::may_retry(terminated(false, true), {false, true, 1}, trial_spec(OnStale::Stop, 2)));
}
