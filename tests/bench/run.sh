#!/bin/sh
# The benchmark table: per program of ../shared/bench, the time of the
# interpreter, of AOT with libtcc, of ferry's native mode (ferry aot --cc
# gcc, -O2) and of the reference native build (gcc -O2 of the C source);
# each mode's ratio to the reference, and the geometric means of the ratios
# (hello, which measures start-up only, is shown but not in the means).
#
# Times are CPU seconds (user + system) of the whole process, median of RUNS
# runs, all modes in the same run: CPU time, unlike wall clock, does not
# grow when other work shares the machine. Every mode's output line is
# checked against the bench's expected.txt. AOT runs through
# `ferry bench --exec tcc`, which is `ferry run` on the AOT engine.
#
# Last line: libtcc's in-memory compile time for the largest benchmark
# against gcc -O2 on the same generated C.
# usage: run.sh FERRY BENCH_DIR BUILT_DIR [RUNS]
set -eu
ferry=$1 bench=$2 dir=$3 runs=${4:-5}
cc=${CC_NATIVE:-gcc}

# cpu CMD...: the CPU time of one run, from the kernel's accounting of the
# child (getrusage): /usr/bin/time prints it in 10 ms steps, 5 % of a
# 0.2 s program.
cpu() {
  python3 -c 'import resource, subprocess, sys
r = resource.RUSAGE_CHILDREN
a = resource.getrusage(r)
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
b = resource.getrusage(r)
print("%.4f" % (b.ru_utime - a.ru_utime + b.ru_stime - a.ru_stime))' "$@"
}

# median_cpu CMD...: the median CPU time in seconds of RUNS runs.
median_cpu() {
  i=0 times=""
  while [ $i -lt "$runs" ]; do
    times="$times $(cpu "$@")"
    i=$((i + 1))
  done
  printf '%s\n' $times | sort -n | awk '{a[NR]=$1} END {printf "%.3f", a[int((NR+1)/2)]}'
}

# check NAME WANT CMD...: "ok", or what CMD printed instead of WANT.
check() {
  name=$1 want=$2
  shift 2
  got=$("$@" 2>&1 || true)
  if [ "$got" = "$want" ]; then echo ok; else echo "$got"; fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", (b > 0 ? a / b : 0)}'; }
addlog() { awk -v s="$1" -v r="$2" 'BEGIN {printf "%.6f", s + log(r > 0 ? r : 1e-9)}'; }

printf '%-9s %8s %8s %8s %8s  %7s %7s %7s  %s\n' program "interp" "aot" "ferry-cc" \
  "native" "int/nat" "aot/nat" "cc/nat" check
li=0 la=0 lc=0 n=0 bad=0
largest="" largest_size=0
for w in "$dir"/*.wasm; do
  name=$(basename "$w" .wasm)
  want=$(grep "^$name[ ,]" "$bench/expected.txt" || true)
  fc="$dir/$name.ferrycc"
  "$ferry" aot "$w" -o "$fc" --cc "$cc" >/dev/null 2>&1 || rm -f "$fc"
  ok=ok
  for mode in interp aot cc; do
    case $mode in
      interp) r=$(check "$name" "$want" "$ferry" run "$w") ;;
      aot) r=$(check "$name" "$want" "$ferry" bench --exec tcc "$w") ;;
      cc) if [ -x "$fc" ]; then r=$(check "$name" "$want" "$fc"); else r="no native build"; fi ;;
    esac
    [ "$r" = ok ] || { ok="WRONG ($mode): $r"; }
  done
  [ "$ok" = ok ] || bad=$((bad + 1))
  ti=$(median_cpu "$ferry" run "$w")
  ta=$(median_cpu "$ferry" bench --exec tcc "$w")
  if [ -x "$fc" ]; then tc=$(median_cpu "$fc"); else tc=0; fi
  tn=$(median_cpu "$dir/$name.native")
  ri=$(ratio "$ti" "$tn") ra=$(ratio "$ta" "$tn") rc=$(ratio "$tc" "$tn")
  printf '%-9s %8s %8s %8s %8s  %7s %7s %7s  %s\n' "$name" "$ti" "$ta" "$tc" "$tn" \
    "$ri" "$ra" "$rc" "$ok"
  if [ "$name" != hello ]; then
    li=$(addlog "$li" "$ri") la=$(addlog "$la" "$ra") lc=$(addlog "$lc" "$rc")
    n=$((n + 1))
  fi
  size=$(wc -c <"$w")
  if [ "$size" -gt "$largest_size" ]; then largest=$w largest_size=$size; fi
done
awk -v i="$li" -v a="$la" -v c="$lc" -v n="$n" 'BEGIN {
  printf "geometric mean ratio to native gcc -O2 (%d programs): interp %.2f, aot (tcc) %.2f, ferry-cc %.2f\n",
    n, exp(i / n), exp(a / n), exp(c / n) }'

# Compile time: libtcc in memory (load + compile, measured by ferry bench)
# against gcc -O2 on the same C (ferry aot writes it; -c: compile only).
if [ -n "$largest" ]; then
  name=$(basename "$largest" .wasm)
  tt=$("$ferry" bench --runs 1 --no-native "$largest" 2>/dev/null |
       awk '$1 == "aot" {print $3}')
  "$ferry" aot "$largest" -o "$dir/$name.aot.c"
  tg=$(median_cpu "$cc" -O2 -w -c "$dir/$name.aot.c" -o "$dir/$name.aot.o")
  awk -v t="$tt" -v g="$tg" -v n="$name" 'BEGIN {
    printf "compile time, largest benchmark (%s): libtcc %.3f s, gcc -O2 %.3f s, ratio 1/%.0f\n",
      n, t, g, (t > 0 ? g / t : 0) }'
fi
[ "$bad" -eq 0 ]
