#!/usr/bin/env bash
# The campaign tool as a user gets it from `cmake --install`: installs this build to a
# temporary prefix and runs a tiny campaign with the installed rungs, from a directory
# outside the source and build trees and with neither on PATH. Its Python trial imports
# rungs_trial with no PYTHONPATH of its own (rungs adds the installed helper's folder); the
# installed rungs starts the installed supervisor; the commands rungs prints at the end work
# as printed, with and without the prefix on PATH.
#   install_and_run.sh BUILD_DIR
set -euo pipefail
build_dir=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

cmake --install "$build_dir" --prefix "$prefix" >/dev/null
for file in bin/rungs bin/rungs-supervisor share/rungs/python/rungs_trial.py; do
  [ -e "$prefix/$file" ] || { echo "not installed: $file"; exit 1; }
done

mkdir "$tmp/work"
cd "$tmp/work"
cat >trial.py <<'PY'
import rungs_trial
x = rungs_trial.params()["x"]
for epoch in range(1, int(rungs_trial.budget()["epochs"]) + 1):
    rungs_trial.report(epoch, loss=(x - 0.3) ** 2 + 1.0 / epoch)
PY
cat >tiny.yaml <<'YAML'
name: tiny
metric: {name: loss, mode: min}
space:
  x: {type: float, low: 0.0, high: 1.0}
budget: {min: 1, max: 3, dimensions: {epochs: {type: int, growth: continued, min: 1, max: 3}}}
scheduler: {type: successive_halving, eta: 3, max_concurrent: 2}
trial:
  command: [/usr/bin/python3, "{campaign_dir}/trial.py"]
YAML

clean_env=(env -u PYTHONPATH PATH=/usr/bin:/bin HOME="$tmp")
"${clean_env[@]}" "$prefix/bin/rungs" run tiny.yaml -o out -q >log 2>&1 || { cat log; exit 1; }
grep -q "Best configuration" log || { cat log; exit 1; }
grep -q "ModuleNotFoundError" out/trials/*/stderr.log && { cat out/trials/*/stderr.log; exit 1; }
# Not on PATH: the hint names the installed binary by its path, and works pasted.
hint=$(sed -n 's/^Look at them: //p' log)
case "$hint" in "$prefix/bin/rungs status "*) ;; *) echo "hint without the binary's path: $hint"; exit 1 ;; esac
status_command=${hint%% | *}
"${clean_env[@]}" bash -c "$status_command" >status.log 2>&1 || { cat status.log; exit 1; }

# On PATH: the hint says `rungs`, and works pasted.
"${clean_env[@]}" PATH="$prefix/bin:/usr/bin:/bin" rungs run tiny.yaml -o out2 -q >log2 2>&1 || { cat log2; exit 1; }
hint=$(sed -n 's/^Look at them: //p' log2)
case "$hint" in "rungs status "*) ;; *) echo "hint not a bare rungs: $hint"; exit 1 ;; esac
"${clean_env[@]}" PATH="$prefix/bin:/usr/bin:/bin" bash -c "${hint%% | *}" >status2.log 2>&1 || { cat status2.log; exit 1; }
# An output directory with a space and a quote: the hint quotes it, and works pasted.
"${clean_env[@]}" PATH="$prefix/bin:/usr/bin:/bin" rungs run tiny.yaml -o "my runs/it's" -q >log3 2>&1 || { cat log3; exit 1; }
hint=$(sed -n 's/^Look at them: //p' log3)
"${clean_env[@]}" PATH="$prefix/bin:/usr/bin:/bin" bash -c "${hint%% | *}" >status3.log 2>&1 || { echo "$hint"; cat status3.log; exit 1; }
echo "the installed rungs ran the campaign; its printed commands work"
