#!/usr/bin/env bash
# Runs each libFuzzer target of fuzz/ for a bounded time, two at a time:
#
#   scripts/fuzz.sh BUILD_DIR [SECONDS]
#
# Each target starts from its committed seed corpus (fuzz/corpus/<target>/,
# left unchanged: new inputs go to BUILD_DIR/fuzz-corpus/<target>/) with its
# dictionary (fuzz/<target>.dict). A crash, a hang (one input over 10 s), a
# leak or any sanitizer report fails the run; the input that caused it is kept
# as BUILD_DIR/fuzz-artifacts/<target>-crash-..., to add to the seed corpus
# once fixed. Ends with "fuzz: N passed, N failed".
set -uo pipefail
build=${1:?usage: scripts/fuzz.sh BUILD_DIR [SECONDS]}
seconds=${2:-60}
cd "$(dirname "$0")/.."
targets=(shape experiment suite result report cli)
mkdir -p "$build/fuzz-artifacts"

run_one() {
  local target=$1 corpus="$build/fuzz-corpus/$1" log="$build/fuzz-$1.log"
  mkdir -p "$corpus"
  local dict=()
  [ -f "fuzz/$target.dict" ] && dict=(-dict="fuzz/$target.dict")
  "$build/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$target-" "${dict[@]}" \
    "$corpus" "fuzz/corpus/$target" >"$log" 2>&1
}

passed=0
failed=0
pids=()
for target in "${targets[@]}"; do
  run_one "$target" &
  pids+=($!)
  # Two at a time: CI has two cores.
  if [ ${#pids[@]} -eq 2 ]; then
    wait "${pids[0]}"; codes+=($?); pids=("${pids[1]}")
  fi
done
for pid in "${pids[@]}"; do wait "$pid"; codes+=($?); done

for i in "${!targets[@]}"; do
  target=${targets[$i]}
  log="$build/fuzz-$target.log"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  if [ "${codes[$i]}" -eq 0 ]; then
    echo "fuzz_$target: ${runs:-?} inputs in ${seconds} s: no crash, hang or sanitizer report"
    passed=$((passed + 1))
  else
    echo "fuzz_$target: FAILED (exit ${codes[$i]}); the end of $log:"
    tail -n 40 "$log"
    ls "$build"/fuzz-artifacts/"$target"-* 2>/dev/null | sed 's/^/  input: /'
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
