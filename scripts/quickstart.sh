#!/usr/bin/env bash
# Sets up, builds and runs the quickstart campaign (results in runs/). Installs and builds only
# what the quickstart runs: the rungs CLI (with rungs-supervisor, which it needs) and the trainer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh rungs quickstart-trainer
exec build/bin/rungs run examples/01_quickstart/campaign.yaml "$@"
