#!/bin/sh
# Runs one libFuzzer harness for a bounded time, seeded from the spec suite's
# modules (binaries for fuzz_decode and fuzz_exec, text for fuzz_wat).
# usage: run.sh FUZZER SPEC_DIR SECONDS
set -eu
fuzzer=$1 spec=$2 seconds=$3
name=$(basename "$fuzzer")
work=build/fuzz/work-$name
corpus=build/fuzz/corpus-$name
mkdir -p "$work" "$corpus"
if [ -d "$spec" ] && [ -z "$(ls -A "$corpus")" ]; then
  seeds=build/fuzz/seeds
  if [ ! -d "$seeds" ]; then
    mkdir -p "$seeds"
    build/ferry wast --emit "$seeds" "$spec"/*.wast >/dev/null 2>&1 || true
  fi
  case $name in
    fuzz_wat) cp "$seeds"/*.wat "$corpus"/ 2>/dev/null || true ;;
    fuzz_decode|fuzz_exec) cp "$seeds"/*.wasm "$corpus"/ 2>/dev/null || true ;;
    *) cp "$seeds"/*.wasm "$corpus"/ 2>/dev/null || true ;;
  esac
fi
echo "fuzz: $name for ${seconds}s, $(ls "$corpus" | wc -l) inputs in corpus"
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
  -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$work/" \
  "$corpus" >"$work/log" 2>&1 || { tail -50 "$work/log"; exit 1; }
runs=$(grep -a -o 'stat::number_of_executed_units: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
speed=$(grep -a -o 'stat::average_exec_per_sec: *[0-9]*' "$work/log" | grep -o '[0-9]*$')
echo "fuzz: $name clean: $runs executions, $speed exec/s"
