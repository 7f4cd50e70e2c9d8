#!/bin/sh
# Programs from other toolchains than clang's C: Rust (Debian's rustc with
# its wasm32-wasi std) and C++ (clang++-14 with Debian's libc++ for
# wasm32-wasi), from tests/programs/lang/*.rs and *.cpp. Each is built for
# wasm32-wasi and natively (the same rustc for the host; g++ -O2), cached
# under build/programs/lang (rebuilt when its source or this script is
# newer), and run on every engine (interpreter, --aot, --tiered) and packed
# (--mode interp, tcc, native) with the same arguments, environment and
# standard input as the native build, in a fresh working directory each:
# same output, exit status and files left behind. The one expected
# difference: a Rust panic aborts on wasm32-wasi (a trap, exit 134) but
# unwinds natively (exit 101); the output before it and the panic message
# (stderr's first line) must still agree. Endless recursion ends with exit
# 134 on both (a trap; SIGABRT), with different messages.
# usage: tests/programs/langs.sh FERRY
# Prints "programs-lang: N passed, N failed".
set -u
FERRY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$(dirname "$0")" && pwd)/lang
SCRIPT=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
STUBS=${FERRY_STUBS:-$(dirname "$FERRY")/stubs}
OUT=$(pwd)/build/programs/lang
# Debian's rustc, not a rustup one earlier in PATH (which has no
# wasm32-wasi std unless added, and another version)
RUSTC=${RUSTC:-/usr/bin/rustc}
CXX=${WASI_CXX:-clang++-14}
HOSTCXX=${HOST_CXX:-g++}
mkdir -p "$OUT"
LABEL=programs-lang
. "$(dirname "$SCRIPT")/common.sh"

# ---- toolchains ----
PROGS=
if [ -x "$RUSTC" ] &&
   [ -d "$("$RUSTC" --print sysroot 2>/dev/null)/lib/rustlib/wasm32-wasi/lib" ]; then
  PROGS="env collections files panic"
else
  echo "programs-lang: $RUSTC or its wasm32-wasi std (libstd-rust-dev-wasm32) missing, Rust skipped"
fi
# -print-file-name prints the bare name when the library is not found
if command -v "$CXX" >/dev/null && command -v "$HOSTCXX" >/dev/null &&
   [ -f "$("$CXX" --target=wasm32-wasi -print-file-name=libc++.a)" ] &&
   [ -f "$("$CXX" --target=wasm32-wasi -print-file-name=libc++abi.a)" ]; then
  PROGS="$PROGS stl streams"
else
  echo "programs-lang: $CXX, $HOSTCXX or libc++ for wasm32-wasi (libc++-14-dev-wasm32, libc++abi-14-dev-wasm32) missing, C++ skipped"
fi
if [ -z "$PROGS" ]; then
  echo "programs-lang: $pass passed, $fail failed"
  exit 0
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- build ----
# Rust: std's panic=abort on wasm32-wasi, unwinding natively (see above);
# without debug info, the wasm keeps its name section. C++: no exceptions
# on wasm with clang 14, so none natively either; the driver finds libc++
# in the wasm32-wasi sysroot (/usr/lib/wasm32-wasi) by itself.
# build PROG wasm|native: into $OUT/PROG.wasm or .native
build() {
  p=$1 t=$2
  if [ -f "$SRC/$p.rs" ]; then
    s=$SRC/$p.rs
    set -- "$RUSTC" --edition 2021 -O
    if [ "$t" = wasm ]; then set -- "$@" --target wasm32-wasi -C strip=debuginfo; fi
  else
    s=$SRC/$p.cpp
    set -- "$HOSTCXX"
    if [ "$t" = wasm ]; then set -- "$CXX" --target=wasm32-wasi -Wl,--strip-debug; fi
    set -- "$@" -O2 -std=c++17 -fno-exceptions -Wall -Werror
  fi
  if [ -f "$OUT/$p.$t" ] && [ "$OUT/$p.$t" -nt "$s" ] && [ "$OUT/$p.$t" -nt "$SCRIPT" ]; then
    return 0
  fi
  # the temporary's name keeps rustc's intermediate files of the two
  # builds apart
  if "$@" "$s" -o "$OUT/$p-$t.tmp" >"$TMP/build-$p-$t.log" 2>&1; then
    mv "$OUT/$p-$t.tmp" "$OUT/$p.$t"
  else
    rm -f "$OUT/$p-$t.tmp"
    echo "$p.$t (build)" > "$TMP/build-$p-$t.fail"
  fi
}
# the wasm and native builds of a program side by side (two cores)
for p in $PROGS; do
  build "$p" wasm &
  build "$p" native
  wait
done
built=
for p in $PROGS; do
  good=true
  for t in wasm native; do
    if [ -f "$TMP/build-$p-$t.fail" ]; then
      bad "$p.$t (build)" "$TMP/build-$p-$t.log"
      good=false
    fi
  done
  $good && built="$built $p"
done
PROGS=$built

# ---- inputs ----
# The same environment for everyone: exactly these variables (env -i),
# given to `ferry run` by name (--env NAME: ferry's own value) and baked
# into the packed programs (--env NAME=VALUE).
V_SPACE="two  words"
V_EQ="a=b=c"
V_UTF="ünïcödé ✓"
TIMEOUT=$(command -v timeout)
withenv() {
  env -i LT_NAME=ferry LT_EMPTY= "LT_SPACE=$V_SPACE" "LT_EQ=$V_EQ" "LT_UTF=$V_UTF" "$@"
}
ENVRUN="--env LT_NAME --env LT_EMPTY --env LT_SPACE --env LT_EQ --env LT_UTF"

mkdir -p "$TMP/in"
# ~3000 lines: words, numbers, tabs, UTF-8, CRLF endings, blank lines, and
# a last line without a newline
i=0
while [ $i -lt 3000 ]; do
  case $((i % 5)) in
    0) printf 'line %d\tsays %d words\n' $i $((i % 7)) ;;
    1) printf '%d  -%d   ünï ✓ %d\n' $i $((i * 3)) $((i % 11)) ;;
    2) printf 'crlf ended %d\r\n' $i ;;
    3) printf '\n' ;;
    4) printf 'the ferry crosses at %d:%02d\n' $((i % 24)) $((i % 60)) ;;
  esac
  i=$((i + 1))
done > "$TMP/in/text"
printf 'no newline at the end 42' >> "$TMP/in/text"
# invalid UTF-8 (latin-1) after two good lines
printf 'good line 1\ngood line 2\ncaf\351 au lait\nafter\n' > "$TMP/in/latin1"

# cases EACH: calls EACH NAME PROG STDIN ARGS... for each case whose
# program was built. A NAME panic-* is a Rust panic, overflow-* endless
# recursion.
cases() {
  each=$1
  for p in $PROGS; do
    case $p in
      env)
        $each env-args env "$TMP/in/text" a 'b c' '' 'héllo wörld' --flag=1
        $each env-exit env /dev/null exit=3
        $each env-latin1 env "$TMP/in/latin1" ;;
      collections) $each collections collections /dev/null ;;
      files) $each files files /dev/null ;;
      panic)
        for k in explicit index divide unwrap; do
          $each panic-$k panic /dev/null $k
        done
        $each overflow-small panic /dev/null overflow
        $each overflow-big panic /dev/null frames
        $each panic-none panic /dev/null none ;;
      stl) $each stl stl /dev/null ;;
      streams)
        $each streams streams "$TMP/in/text" one 'two words' ''
        $each streams-exit streams /dev/null exit=9 ;;
    esac
  done
}

# Names, types, sizes (but a directory's, which depends on the file
# system) and contents of everything in directory $1.
snapshot() {
  (cd "$1" && { find . -mindepth 1 -type d -printf '%P %y\n'
                find . -mindepth 1 ! -type d -printf '%P %y %s\n'; } | LC_ALL=C sort &&
   find . -type f -exec md5sum {} + | LC_ALL=C sort -k 2)
}

# ---- packed executables (linux-x64), each mode whose stub is built ----
# pack MODE PROG...: packs the programs; --mode native compiles with the
# C compiler (3 to 10 s per program), so that one runs in the background,
# in two halves, while the other runners go.
pack() {
  m=$1
  shift
  for p in "$@"; do
    "$FERRY" pack --stubs "$STUBS" --mode "$m" --dir .::. \
      --env LT_NAME=ferry --env LT_EMPTY= --env "LT_SPACE=$V_SPACE" \
      --env "LT_EQ=$V_EQ" --env "LT_UTF=$V_UTF" \
      "$OUT/$p.wasm" -o "$TMP/$p-pack-$m" 2>"$TMP/pack-$p-$m.err" ||
      echo "pack $p --mode $m" > "$TMP/pack-$p-$m.fail"
  done
}
PACKED=
for m in interp tcc native; do
  packable $m || continue
  PACKED="$PACKED $m"
done
bgpack=
case $PACKED in
  *native*)
    half1='' half2=''
    for p in $PROGS; do
      half1="$half1 $p"
      t=$half1 half1=$half2 half2=$t
    done
    pack native $half1 & bgpack=$!
    pack native $half2 & bgpack="$bgpack $!" ;;
esac

# prog RUNNER PROG ARGS...: runs PROG on RUNNER in the current directory,
# which it may use (--dir .), with the environment above. A hang is a
# failure (timeout's status 124), not a stuck test.
prog() {
  r=$1 p=$2
  shift 2
  case $r in
    native) withenv "$TIMEOUT" 60 "$OUT/$p.native" "$@" ;;
    interp) withenv "$TIMEOUT" 60 "$FERRY" run --dir . $ENVRUN -- "$OUT/$p.wasm" "$@" ;;
    aot) withenv "$TIMEOUT" 60 "$FERRY" run --aot --dir . $ENVRUN -- "$OUT/$p.wasm" "$@" ;;
    tiered) withenv "$TIMEOUT" 60 "$FERRY" run --tiered --dir . $ENVRUN -- "$OUT/$p.wasm" "$@" ;;
    pack-*) withenv "$TIMEOUT" 60 "$TMP/$p-$r" "$@" ;;
  esac
}

# ---- expected results, from the native builds ----
expect() {
  n=$1 p=$2 in=$3
  shift 3
  E=$TMP/exp/$n
  mkdir -p "$E/wd"
  (cd "$E/wd" && prog native "$p" "$@" <"$in" >../out 2>../err); echo $? > "$E/st"
  snapshot "$E/wd" > "$E/files"
  case $n in
    panic-none) want=0 ;;
    panic-*) want=101 ;;
    overflow-*) want=134 ;; # SIGABRT
    *) want= ;;
  esac
  if [ -n "$want" ] && [ "$(cat "$E/st")" != "$want" ]; then
    bad "$n: native exits $(cat "$E/st"), not $want" "$E/err"
  fi
}
cases expect

# ---- every runner against the native results ----
R=
# check NAME PROG STDIN ARGS...: case NAME on runner $R
check() {
  n=$1 p=$2 in=$3
  shift 3
  E=$TMP/exp/$n
  W=$TMP/$R/$n
  case $R in
    pack-*) [ -f "$TMP/$p-$R" ] || return ;; # not packed: reported above
  esac
  mkdir -p "$W/wd"
  (cd "$W/wd" && prog "$R" "$p" "$@" <"$in" >../out 2>../err); st=$?
  est=$(cat "$E/st")
  case $n in
    panic-none) ;;
    # a panic: a trap here, an unwind natively; the message is stderr's
    # first line on both
    panic-*)
      est=134
      head -n 1 "$W/err" > "$W/err1"
      if ! head -n 1 "$E/err" | cmp -s - "$W/err1"; then
        bad "$n on $R: panic message differs from native" "$W/err"
        return
      fi ;;
    # endless recursion: a trap (134) as natively SIGABRT, with other
    # messages
    overflow-*) ;;
    *)
      if ! cmp -s "$E/err" "$W/err"; then
        bad "$n on $R: stderr differs from native" "$W/err"
        diff "$E/err" "$W/err" | head -8 | sed 's/^/    /'
        return
      fi ;;
  esac
  if [ "$st" != "$est" ]; then
    bad "$n on $R: exit $st, expected $est" "$W/err"
  elif ! cmp -s "$E/out" "$W/out"; then
    bad "$n on $R: stdout differs from native" "$W/err"
    diff "$E/out" "$W/out" | head -8 | sed 's/^/    /'
  elif ! snapshot "$W/wd" | cmp -s "$E/files" -; then
    bad "$n on $R: files left differ from native"
    snapshot "$W/wd" | diff "$E/files" - | head -8 | sed 's/^/    /'
  else ok; fi
}

for R in interp aot tiered; do
  cases check
done
for m in $PACKED; do
  if [ "$m" = native ]; then
    wait $bgpack
  else
    pack "$m" $PROGS
  fi
  for p in $PROGS; do
    [ -f "$TMP/pack-$p-$m.fail" ] && bad "pack $p --mode $m" "$TMP/pack-$p-$m.err"
  done
  R=pack-$m
  cases check
done

echo "programs-lang: $pass passed, $fail failed"
[ $fail -eq 0 ]
