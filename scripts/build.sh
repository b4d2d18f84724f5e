#!/usr/bin/env bash
# Configures and builds rungs (Release) into build/: the targets named, or everything but the
# benchmarks. Run scripts/setup.sh first.
#   bash scripts/build.sh                     everything (libraries, CLI, examples, tests)
#   bash scripts/build.sh rungs quickstart-trainer
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
