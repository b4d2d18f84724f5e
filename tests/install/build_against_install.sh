#!/usr/bin/env bash
# The ask/tell library as a user gets it: installs this build to a temporary prefix, checks
# that the package brings no YAML, SQLite or process code, then configures, builds and runs
# examples/03_ask_tell on its own against it (find_package(rungs)).
#   build_against_install.sh BUILD_DIR SOURCE_DIR CXX_COMPILER [COMPILER_LAUNCHER]
set -euo pipefail
build_dir=$1 source_dir=$2 compiler=$3 launcher=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cmake --install "$build_dir" --prefix "$tmp/prefix" >/dev/null
targets=$(cat "$tmp"/prefix/lib*/cmake/rungs/rungsTargets*.cmake)
for unwanted in yaml-cpp SQLite Boost rungs_campaign rungs_runners; do
  if grep -q "$unwanted" <<<"$targets"; then
    echo "the installed package refers to $unwanted"
    exit 1
  fi
done
if ls "$tmp/prefix/include/rungs" | grep -qvE '^(space|fidelity|optimizers|scheduler|study)$'; then
  echo "the package installs headers beyond the ask/tell library: $(ls "$tmp/prefix/include/rungs")"
  exit 1
fi

cmake -S "$source_dir/examples/03_ask_tell" -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$tmp/prefix" -DCMAKE_CXX_COMPILER="$compiler" \
      ${launcher:+-DCMAKE_CXX_COMPILER_LAUNCHER="$launcher"} >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/ask-tell-example"
