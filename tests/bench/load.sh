#!/bin/sh
# Load time (read + decode + validate) of each benchmark module, median of 5.
# usage: load.sh FERRY DIR
set -eu
ferry=$1 dir=$2
printf '%-10s %10s %10s\n' program bytes "load ms"
for w in "$dir"/*.wasm; do
  times=""
  for i in 1 2 3 4 5; do
    s=$(date +%s%N)
    "$ferry" validate "$w" >/dev/null
    e=$(date +%s%N)
    times="$times $(( (e - s) / 1000 ))"
  done
  med=$(printf '%s\n' $times | sort -n | sed -n 3p)
  printf '%-10s %10s %10s\n' "$(basename "$w" .wasm)" "$(wc -c <"$w")" \
    "$(echo "$med" | awk '{printf "%.2f", $1 / 1000}')"
done
