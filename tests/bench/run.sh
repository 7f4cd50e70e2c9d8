#!/bin/sh
# The benchmark table: per program of ../shared/bench, the interpreter's
# time, native gcc -O2's, their ratio, and the geometric mean of the ratios
# (hello, which measures start-up only, is shown but not in the mean).
# Times are whole-process wall clock, median of RUNS runs, measured in the
# same run; every output line is checked against the bench's expected.txt.
# usage: run.sh FERRY BENCH_DIR BUILT_DIR [RUNS]
set -eu
ferry=$1 bench=$2 dir=$3 runs=${4:-3}

# median_time CMD...: prints the median wall time in seconds of RUNS runs.
median_time() {
  i=0 times=""
  while [ $i -lt "$runs" ]; do
    s=$(date +%s%N)
    "$@" >/dev/null
    e=$(date +%s%N)
    times="$times $((e - s))"
    i=$((i + 1))
  done
  printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]/1e9}'
}

printf '%-10s %10s %10s %8s  %s\n' program "interp s" "native s" ratio check
logsum=0 n=0 bad=0
for w in "$dir"/*.wasm; do
  name=$(basename "$w" .wasm)
  want=$(grep "^$name[ ,]" "$bench/expected.txt" || true)
  got=$("$ferry" run "$w" 2>&1 || true)
  ok=ok
  [ "$got" = "$want" ] || { ok="WRONG: $got"; bad=$((bad + 1)); }
  ti=$(median_time "$ferry" run "$w")
  tn=$(median_time "$dir/$name.native")
  ratio=$(awk -v a="$ti" -v b="$tn" 'BEGIN {printf "%.2f", a / b}')
  printf '%-10s %10s %10s %8s  %s\n' "$name" "$ti" "$tn" "$ratio" "$ok"
  if [ "$name" != hello ]; then
    logsum=$(awk -v s="$logsum" -v r="$ratio" 'BEGIN {printf "%.6f", s + log(r)}')
    n=$((n + 1))
  fi
done
awk -v s="$logsum" -v n="$n" 'BEGIN {printf "geometric mean ratio (interp / native, %d programs): %.2f\n", n, exp(s / n)}'
[ "$bad" -eq 0 ]
