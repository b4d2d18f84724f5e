#!/usr/bin/env bash
# The in-process suites under AddressSanitizer and UndefinedBehaviorSanitizer (RUNGS_SANITIZE=ON,
# Debug with -O1), in build-sanitize/. Any report fails the suite it happens in
# (halt_on_error, -fno-sanitize-recover).
#
# Which suites: the decision logic and everything it stands on, where memory and arithmetic
# bugs would hide: text, space, fidelity, optimizers (TPE, GP with Eigen), scheduler, study,
# problems. Left out: the suites whose subject is a process tree across fork/exec (runners,
# and campaign/report, which run `rungs`, trainers and Chromium as processes), where a
# sanitizer cannot follow what runs after exec, and whose instrumented build (every library)
# would alone take longer on 2 cores than the whole of CI should. Building all with
# RUNGS_SANITIZE=ON works for a local run: cmake --build build-sanitize, then ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
suites=(test_text test_space test_fidelity test_optimizers test_scheduler test_study test_problems)
# -g1 (line tables, all that the reports' stack traces need) instead of Debug's full -g: a third
# less compile time (docs/benchmarks.md, "Build and CI time").
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DRUNGS_SANITIZE=ON -DRUNGS_BUILD_BENCH=OFF \
      ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
cmake --build build-sanitize -j "$(nproc)" --target "${suites[@]}"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0
failed=0
for suite in "${suites[@]}"; do
  if build-sanitize/bin/"$suite" --no-version; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "sanitizers: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
