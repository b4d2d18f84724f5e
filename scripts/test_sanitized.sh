#!/usr/bin/env bash
# The test suites once more under AddressSanitizer (with LeakSanitizer) and
# UndefinedBehaviorSanitizer: RUNGS_SANITIZE=ON, -O1, in build-sanitize/. Every target is
# instrumented, so the runner suite also checks the processes it starts (rungs-supervisor and
# the fake trial, across fork/exec): each instrumented process writes any report to
# build-sanitize/sanitizer-logs/, and one file there fails this script even when the process
# that wrote it was a trial whose failure the test expected. Any report is fatal
# (halt_on_error, -fno-sanitize-recover).
#
# Which suites: all but the Slurm one (its jobs run under slurmd, whose environment does not
# carry the sanitizer options): text, space, fidelity, optimizers with Eigen, scheduler, study,
# problems, store, runners, campaign (`rungs`, the supervisor and the example trainers, all
# instrumented) and report (Chromium itself uninstrumented). Test cases left out, with the
# reason (doctest -tce):
#   runners/local: a silent trial is stopped as stale / every line restarts the heartbeat
#     window / stop_all and the destructor: their subject is a heartbeat of 100-600 ms and a
#     stop grace of 300-400 ms, shorter than the start-up (and the leak check at exit) of two
#     instrumented processes on a loaded machine; not scaled by RUNGS_TEST_TIME_FACTOR since the
#     short windows are the behaviour under test.
#   runners/local: stop() of a paused run delivers a TERM it can handle: the instrumented trial
#     handles the TERM and exits, LeakSanitizer's exit check ptrace-attaches to it from a
#     tracer process it forks, and the supervisor's stop (SIGTERM then SIGCONT to every
#     descendant, new ones included) reaches that tracer and the trial: the SIGCONT cancels the
#     attach's SIGSTOP and the tracer waits for it forever (seen: 1 run in 3, the trial traced
#     and running, the tracer with SIGCONT pending). An uninstrumented trial has no tracer.
#
# Build time (CI has no compiler cache; docs/benchmarks.md, "Build and CI time"): -g1 (line
# tables, all that the reports' stack traces need) instead of Debug's full -g: 29 % less
# compile time; no benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build-sanitize
# What runs, longest first, so that no core idles at the end (instrumented, on 2 cores: the
# campaign suite about 5 min, the optimizers 1.5, the report and the runners half a minute,
# the rest seconds): the campaign suite as three shards of its test cases (k/n: doctest's
# --first/--last over the cases in file order), then the others.
parts=(test_campaign:1/3 test_campaign:2/3 test_campaign:3/3 test_optimizers test_report test_runners
       test_store test_scheduler test_problems test_study test_fidelity test_space test_text)
suites=($(printf '%s\n' "${parts[@]%%:*}" | sort -u))  # what to build
declare -A excluded=(
  [test_runners]="runners/local: a silent trial is stopped as stale*,runners/local: every line restarts the heartbeat window,runners/local: stop_all and the destructor*,runners/local: stop() of a paused run delivers a TERM*"
)
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DRUNGS_SANITIZE=ON \
      -DRUNGS_BUILD_BENCH=OFF \
      ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${suites[@]}"

logs="$PWD/$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0:log_path=$logs/asan"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:log_path=$logs/ubsan"
# Instrumented code runs several times slower: the deadlines that guard the process tests
# against hangs (tests/test_deadline.hpp) get a larger factor.
export RUNGS_TEST_TIME_FACTOR="${RUNGS_TEST_TIME_FACTOR:-30}"
# As many parts at a time as there are cores; each one's output goes to its own log,
# printed when it fails.
run_part() {
  local part=$1 suite=${1%%:*} options=() rc=0 start=$SECONDS range=""
  [ -n "${excluded[$suite]:-}" ] && options+=("--test-case-exclude=${excluded[$suite]}")
  if [[ $part == *:* ]]; then
    local shard=${part#*:} count
    local k=${shard%/*} n=${shard#*/}
    count=$("$build/bin/$suite" --no-version --count "${options[@]}" | grep -o '[0-9]*$')
    local first=$(( (k - 1) * count / n + 1 )) last=$(( k * count / n ))
    options+=("--first=$first" "--last=$last")
    range="cases $first-$last of $count"  # doctest's summary counts all of them: not shown
  fi
  "$build/bin/$suite" --no-version "${options[@]}" > "$build/${part//\//-}.log" 2>&1 || rc=$?
  echo "$rc $((SECONDS - start)) $range" > "$build/${part//\//-}.rc"
}
rm -f "$build"/*.rc
for part in "${parts[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  run_part "$part" &
done
wait
passed=0
failed=0
for part in "${parts[@]}"; do
  read -r rc seconds range < "$build/${part//\//-}.rc" || rc=missing
  if [ "$rc" = 0 ]; then
    passed=$((passed + 1))
    log="$build/${part//\//-}.log"
    if [ -n "$range" ]; then summary="$range, $(grep 'assertions:' "$log")"; else summary=$(grep 'test cases:' "$log"); fi
    echo "$part: $summary (${seconds} s)"
  else
    failed=$((failed + 1))
    cat "$build/${part//\//-}.log"
    echo "sanitizers: $part failed"
  fi
done
reports=$(find "$logs" -type f | wc -l)
if [ "$reports" -gt 0 ]; then
  echo "sanitizers: $reports report(s) from instrumented processes:"
  for report in "$logs"/*; do
    echo "== $report"
    head -n 60 "$report"
  done
fi
echo "sanitizers: $passed parts passed, $failed failed, $reports sanitizer report(s)"
[ "$failed" -eq 0 ] && [ "$reports" -eq 0 ]
