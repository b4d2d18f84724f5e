#!/usr/bin/env bash
# Sets up, builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --all
bash scripts/check_boundaries.sh  # before the build: a wrong-way include fails fast
bash scripts/build.sh
ctest --test-dir build -j "$(nproc)" --output-on-failure --timeout 300
