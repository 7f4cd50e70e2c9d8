#!/bin/sh
# Runs `FERRY wast FILE` once per script, for runners that cannot hold the
# whole suite in one process (qemu-user reserves each memory's 8 GiB guard
# region for real), and prints the totals like one run would.
# usage: per_file.sh LABEL LOG FERRY... -- FILE...
set -u
label=$1 log=$2
shift 2
cmd=""
while [ "$1" != "--" ]; do cmd="$cmd $1"; shift; done
shift
passed=0 failed=0 skipped=0 bad=0
for f in "$@"; do
  # shellcheck disable=SC2086
  $cmd wast "$f" >"$log" 2>&1 || { bad=1; grep -v ' 0 failed' "$log" | head -20; }
  set -- $(tail -1 "$log" | awk '/ passed, / {print $1, $3, $5}')
  passed=$((passed + ${1:-0})) failed=$((failed + ${2:-1})) skipped=$((skipped + ${3:-0}))
done
echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$bad" -eq 0 ] && [ "$failed" -eq 0 ]
