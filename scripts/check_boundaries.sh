#!/usr/bin/env bash
# The architecture's boundaries, checked on the #include lines of the sources: fails (exit 1)
# naming every file that includes a folder it must not, or a library only one part may use.
#   bash scripts/check_boundaries.sh [ROOT]        (ROOT: the source tree, default: this one)
#   bash scripts/check_boundaries.sh --self-test   (shows that a wrong-way include fails)
# scripts/test.sh runs it before the build. CMake links the same edges (each target links
# what its headers include), but every target exports the repository root as its include
# directory, so only this check stops a wrong-way include from compiling. docs/architecture.md
# mirrors the table below: change both together.
set -euo pipefail

# Which rungs folders the code of a folder may include ("folder/file.hpp": only that header;
# "*": anything). The longest matching folder wins; a folder missing from the table fails,
# so that a new part states its dependencies. Dependencies point one way:
#   space <- fidelity <- optimizers <- scheduler <- study <- campaign -> runners
ALLOWED='
text
space
fidelity                space
optimizers              space fidelity
scheduler               space fidelity optimizers/optimizer.hpp optimizers/pareto.hpp optimizers/interval_bandit.hpp
study                   space fidelity optimizers scheduler
runners
supervisor              runners
client
problems                space fidelity client
store
campaign                text space fidelity optimizers scheduler study runners problems store
report                  text scheduler store optimizers/pareto.hpp
cli                     *
python                  text space fidelity optimizers scheduler study problems store campaign
bench                   *
examples/03_ask_tell    space fidelity optimizers scheduler study
examples                *
tests                   *
'
# Libraries only some code may include (a path prefix: a folder, or the start of file names).
# yaml-cpp stays inside the YAML reading code; the campaign/yaml_*.hpp headers expose it.
# SQLite stays inside the store. Boost (Asio, Process) stays where processes run.
RESTRICTED='
yaml-cpp/               campaign/yaml_ campaign/campaign_change.cpp tests/
campaign/yaml_          campaign/yaml_ campaign/campaign_change.cpp tests/
SQLiteCpp/              store/ tests/
sqlite3.h               store/ tests/
boost/                  runners/ supervisor/ campaign/ cli/ bench/ tests/
'

self_test() {
  local tmp
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  mkdir -p "$tmp/scheduler" "$tmp/runners" "$tmp/space" "$tmp/report"
  printf '#include "scheduler/other.hpp"\n#include "space/config.hpp"\n' >"$tmp/scheduler/good.hpp"
  if ! bash "$0" "$tmp" >/dev/null; then echo "self-test: a clean tree failed the check"; return 1; fi
  printf '#include "runners/runner.hpp"\n' >"$tmp/scheduler/bad.hpp"
  printf '#include <yaml-cpp/yaml.h>\n' >"$tmp/report/bad.cpp"
  printf '#include "scheduler/x.hpp"\n' >"$tmp/space/bad.cpp"
  local out
  if out=$(bash "$0" "$tmp" 2>&1); then echo "self-test: wrong-way includes passed the check"; return 1; fi
  for expected in "scheduler/bad.hpp:1" "report/bad.cpp:1" "space/bad.cpp:1"; do
    if ! grep -q "^$expected:" <<<"$out"; then echo "self-test: $expected not reported in:"; echo "$out"; return 1; fi
  done
  echo "self-test: ok (the check passes a clean tree and names each wrong-way include)"
}

if [[ "${1:-}" == "--self-test" ]]; then
  self_test
  exit
fi

root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

declare -A allowed=()
while read -r folder deps; do
  [[ -n "$folder" ]] && allowed[$folder]="$deps"
done <<<"$ALLOWED"

# The rungs folders an include can name: the top-level directories of the tree.
declare -A is_part=()
for dir in */; do is_part[${dir%/}]=1; done

# Sets `row` to the table row of a file: the longest folder prefix of its path.
find_row() {
  row=""
  for folder in "${!allowed[@]}"; do
    if [[ "$1" == "$folder/"* && ${#folder} -gt ${#row} ]]; then row=$folder; fi
  done
}

declare -a restricted_prefix=() restricted_users=()
while read -r prefix users; do
  [[ -z "$prefix" ]] && continue
  restricted_prefix+=("$prefix")
  restricted_users+=("$users")
done <<<"$RESTRICTED"

failures=0
report() {
  echo "$1"
  failures=$((failures + 1))
}

# One pass over every #include line: "path:line:included".
current="" row="" deps="" top=""
while IFS=: read -r file line included; do
  file=${file#./}
  if [[ "$file" != "$current" ]]; then
    current=$file
    top=${file%%/*}
    find_row "$file"
    deps=" ${allowed[$row]:-} "
    if [[ -z "$row" ]]; then
      report "$file: folder '$top' is not in the table of scripts/check_boundaries.sh: say what it may include"
    fi
  fi
  [[ -z "$row" ]] && continue
  # Restricted libraries, for every file outside the parts allowed to use them.
  for k in "${!restricted_prefix[@]}"; do
    [[ "$included" != "${restricted_prefix[$k]}"* ]] && continue
    ok=0
    for user in ${restricted_users[$k]}; do [[ "$file" == "$user"* ]] && ok=1; done
    ((ok)) || report "$file:$line: includes <$included>, which only ${restricted_users[$k]} may use"
  done
  # Rungs folders: the file's own folder, or one its row allows.
  part=${included%%/*}
  [[ "$included" != */* || -z "${is_part[$part]:-}" || "$part" == "$top" || "$deps" == *" * "* ]] && continue
  [[ "$deps" == *" $part "* || "$deps" == *" $included "* ]] && continue
  report "$file:$line: includes $included; $row/ may include only:${allowed[$row]:- nothing of rungs}"
done < <(find . -path ./build -prune -o -path './build-*' -prune -o -path ./.git -prune -o \
              -type f \( -name '*.hpp' -o -name '*.cpp' -o -name '*.h' \) -print0 | sort -z |
           xargs -0 -r grep -nHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]' |
           sed -E 's/^([^:]+):([0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*[<"]([^>"]+)[>"].*/\1:\2:\3/')

if ((failures > 0)); then
  echo "check_boundaries: $failures include(s) cross a boundary (table: scripts/check_boundaries.sh)"
  exit 1
fi
echo "check_boundaries: ok"
