#!/usr/bin/env bash
# Sets up, builds and runs the quickstart campaign (results in runs/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec build/bin/rungs run examples/01_quickstart/campaign.yaml "$@"
