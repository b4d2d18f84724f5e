#!/usr/bin/env bash
# Builds and installs the campaign tool: PREFIX/bin/rungs, PREFIX/bin/rungs-supervisor (which
# rungs finds next to itself) and the Python trial helper PREFIX/share/rungs/python/rungs_trial.py
# (which rungs puts on every trial's PYTHONPATH), plus the ask/tell library's CMake package.
#   bash scripts/install.sh              # PREFIX = ~/.local
#   sudo bash scripts/install.sh /usr/local
# Builds only what it installs (into build/), not the tests or the examples' trainers.
# Run scripts/setup.sh first on a fresh machine.
set -euo pipefail
prefix=${1:-$HOME/.local}
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$(nproc)" --target rungs rungs-supervisor
cmake --install build --prefix "$prefix" >/dev/null
echo "Installed $prefix/bin/rungs, $prefix/bin/rungs-supervisor and $prefix/share/rungs/python/rungs_trial.py"
case ":$PATH:" in
  *":$prefix/bin:"*) ;;
  *) echo "Add $prefix/bin to PATH, e.g.: echo 'export PATH=\"$prefix/bin:\$PATH\"' >> ~/.bashrc" ;;
esac
