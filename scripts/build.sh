#!/usr/bin/env bash
# Configures and builds rungs (Release) into build/: the targets named, or everything but the
# benchmarks. Run scripts/setup.sh first.
#   bash scripts/build.sh                     everything (libraries, CLI, examples, tests)
#   bash scripts/build.sh rungs quickstart-trainer
#   bash scripts/build.sh python              the Python module only
# When the Python module was built (python/, needs pybind11-dev and python3-dev) and this runs
# as root, it is installed into the system Python (/usr/local/lib/python3.11/dist-packages):
# `/usr/bin/python3 -c "import rungs"` then works from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
if [ -f build/python/rungs/__init__.py ] && ls build/python/rungs/_rungs*.so >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    cmake --install build --component python >/dev/null
  else
    echo "build: the Python module is in build/python (PYTHONPATH=build/python); as root, this script installs it"
  fi
fi
