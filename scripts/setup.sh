#!/usr/bin/env bash
# Installs with apt-get what rungs needs (Debian 12, as root or with sudo). Idempotent: when
# every package is already there it returns at once.
#   bash scripts/setup.sh         what building rungs (and its Python module) and running the
#                                 quickstart need
#   bash scripts/setup.sh --all   also what the test suite and examples/02 need: Chromium,
#                                 PyTorch with Fashion-MNIST (about 600 MB), Slurm and munge,
#                                 pandas and matplotlib
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libboost1.81-dev libeigen3-dev libyaml-cpp-dev libfmt-dev doctest-dev
  nlohmann-json3-dev libcli11-dev zlib1g-dev
  libmuparser-dev                       # budget.cost formulas (fidelity/cost_model.hpp)
  libsqlitecpp-dev sqlite3               # campaign storage (rungs.db) and the sqlite3 shell
  python3 procps
  pybind11-dev python3-dev python3-numpy   # the Python module `import rungs` (python/), built by scripts/build.sh
)
case "${1:-}" in
  "") ;;
  --all)
    packages+=(
      chromium                              # the browser test of `rungs report`
      python3-torch dataset-fashion-mnist   # examples/02_image_resolution (about 600 MB)
      slurmctld slurmd slurm-client munge   # the one-node cluster of the Slurm tests (scripts/slurm_cluster.sh)
      python3-pandas python3-matplotlib     # rungs.load(...).trials_dataframe() and examples/05_python's plot, tested
      ccache                                # the compiler cache .ci/run keeps between runs
    ) ;;
  *) echo "usage: bash scripts/setup.sh [--all]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "setup: installing ${missing[*]}"

# Post-install scripts (munge, slurmctld, slurmd) start their services through /etc/init.d;
# the tests start private daemons themselves (scripts/slurm_cluster.sh), so a policy-rc.d that
# exits 101 forbids that while installing. One that already exists (containers ship one) is kept.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# added by rungs scripts/setup.sh while installing\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod 0755 "$policy"
  trap '$sudo rm -f "$policy"' EXIT
fi

$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
