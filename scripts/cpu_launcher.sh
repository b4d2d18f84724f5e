#!/usr/bin/env bash
# Compiler and linker launcher that logs the CPU time of every step of a build, to find where
# build time goes on a shared machine (wall time per step would measure the other users too).
# Appends one line per step to $RUNGS_CPU_LOG: user seconds, system seconds, wall seconds,
# the output file. Use it in a separate build directory without ccache:
#   cmake -S . -B build-time -DCMAKE_BUILD_TYPE=Release \
#         -DCMAKE_CXX_COMPILER_LAUNCHER="$PWD/scripts/cpu_launcher.sh" \
#         -DCMAKE_CXX_LINKER_LAUNCHER="$PWD/scripts/cpu_launcher.sh"
#   RUNGS_CPU_LOG=$PWD/build-time/cpu.log cmake --build build-time
#   bash scripts/cpu_summary.sh build-time/cpu.log
set -uo pipefail
output=""
previous=""
for arg in "$@"; do
  [ "$previous" = "-o" ] && output="$arg"
  previous="$arg"
done
log="${RUNGS_CPU_LOG:-/dev/null}"
/usr/bin/time -f "%U	%S	%e	${output:-?}" -a -o "$log" "$@"
