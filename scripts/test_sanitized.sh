#!/usr/bin/env bash
# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer (RUNGS_SANITIZE=ON,
# Debug with -O1, every library and test instrumented), in build-sanitize/. Any report fails
# the test it happens in (halt_on_error, -fno-sanitize-recover).
#
# Left out, by name (-E below): the tests whose subject is a process tree across fork/exec,
# where a sanitizer cannot follow: runners/local (LocalRunner spawning fake_trial, killing
# process groups), `rungs run/validate`, liveness and resume (they exec the `rungs` binary
# with /bin/sh trials and SIGKILL it at random points), quickstart and the Python client
# (the MLP trainer, python3), examples/04 (a dlopen plugin in a trial), synthetic-trial,
# the Chromium renderings, the example smoke tests and the install test (its static
# libraries are instrumented, the separately built example is not). What runs after exec is
# either not ours (python3, chromium, /bin/sh: uninstrumented, so nothing is checked) or
# starts a fresh ASan runtime per process; the hang-guard deadlines of those tests would
# then time the sanitizer's start-up rather than rungs. Their in-process halves (report
# parsing, command templates, the campaign loop on the simulated runner, YAML, the store,
# status/report/export) do run here.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DRUNGS_SANITIZE=ON -DRUNGS_BUILD_BENCH=OFF \
      ${CMAKE_CXX_COMPILER_LAUNCHER:+-DCMAKE_CXX_COMPILER_LAUNCHER=$CMAKE_CXX_COMPILER_LAUNCHER} >/dev/null
cmake --build build-sanitize -j "$(nproc)"
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
excluded='^(runners/local|rungs (run|validate)|quickstart|liveness|resume|a Python trial|examples/04|example: |synthetic-trial|install: |.*Chromium|.*renders)'
ctest --test-dir build-sanitize -j "$(nproc)" --output-on-failure --timeout 600 -E "$excluded"
