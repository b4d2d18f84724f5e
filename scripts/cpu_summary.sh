#!/usr/bin/env bash
# Sums a log written by scripts/cpu_launcher.sh: total CPU (user+sys) of compiling and of
# linking, then the heaviest steps. Usage: cpu_summary.sh LOG [how many steps to list]
set -euo pipefail
log="$1"
top="${2:-15}"
awk -F'\t' 'NF >= 4 {
    cpu = $1 + $2
    if ($4 ~ /\.o$/) { compile += cpu; ncompile++ } else { link += cpu; nlink++ }
    total += cpu
  }
  END { printf "compile: %d steps, %.0f CPU s\nlink:    %d steps, %.0f CPU s\ntotal:   %.0f CPU s\n",
               ncompile, compile, nlink, link, total }' "$log"
echo "heaviest steps (CPU s, output):"
awk -F'\t' 'NF >= 4 { printf "%7.1f  %s\n", $1 + $2, $4 }' "$log" | sort -rn | head -n "$top"
