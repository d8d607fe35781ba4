#!/usr/bin/env bash
# `make build`: set-up, configure and build, one line a step; each step's
# full output goes to BUILD/<step>.log, whose tail is shown with its name when
# the step fails.
#
#   scripts/build.sh BUILD JOBS [CMAKE_ARGS...]
set -uo pipefail
build="$1" jobs="$2"
shift 2
mkdir -p "$build"

# Shows the tail of a step's log and where the whole of it is, then stops.
failed() {
  tail -n 30 "$build/$1.log" >&2
  echo "$1: failed (full log: $build/$1.log)" >&2
  exit 1
}

# Set-up prints its one line itself (stderr) and the Python last on stdout.
py=$(OPBENCH_SETUP_LOG="$build/setup.log" scripts/setup.sh | tail -n 1)
[ -n "$py" ] || { echo "setup: failed (full log: $build/setup.log)" >&2; exit 1; }

cmake -S . -B "$build" -G Ninja -DOPBENCH_PYTHON="$py" "$@" >"$build/configure.log" 2>&1 || failed configure
found=$(sed -n 's/^-- opbench: //p' "$build/configure.log" | paste -sd ';' - | sed 's/;/; /g')
echo "configure: ${found:-done} (log: $build/configure.log)"

# Ninja's progress on one line that rewrites itself on a terminal (a line a
# step elsewhere); the compiler's messages are in the log, and its tail shows
# on failure.
if [ -t 1 ]; then step='\r\033[K%s'; else step='%s\n'; fi
cmake --build "$build" -j "$jobs" 2>&1 | tee "$build/build.log" |
  awk -v step="$step" '/^\[[0-9]+\/[0-9]+\] / { printf step, "build: " $0; fflush() }'
[ "${PIPESTATUS[0]}" -eq 0 ] || { [ -t 1 ] && echo; failed build; }
[ -t 1 ] && printf '\r\033[K'
echo "build: $build/opbench (log: $build/build.log)"
