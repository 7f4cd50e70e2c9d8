#!/bin/sh
# Real programs: zlib's own test program (test/example.c) and its minigzip
# tool (test/minigzip.c), from the Debian zlib source that `make stubs`
# unpacks, built for wasm32-wasi with clang-14 and natively with gcc -O2
# (cached under build/programs, rebuilt when a source is newer). The wasm
# builds must behave exactly as the native ones on every engine (interpreter,
# --aot, --tiered) and packed (--mode interp, tcc, native): same output, same
# compressed bytes (deflate is deterministic for one zlib and level), same
# files written, same exit status.
# usage: tests/programs/run.sh FERRY ZLIB_SRC
# Prints "programs: N passed, N failed".
set -u
CC=${WASI_CC:-clang-14}
if ! command -v "$CC" >/dev/null || ! command -v gcc >/dev/null; then
  echo "programs: $CC or gcc missing, skipped"; exit 0
fi
if [ ! -f "$2/zlib.h" ] || [ ! -f "$2/test/minigzip.c" ]; then
  echo "programs: zlib source $2 missing, skipped"; exit 0
fi
FERRY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
Z=$(cd "$2" && pwd)
SCRIPT=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
STUBS=${FERRY_STUBS:-$(dirname "$FERRY")/stubs}
OUT=$(pwd)/build/programs
mkdir -p "$OUT"
LABEL=programs
. "$(dirname "$SCRIPT")/common.sh"

# ---- build ----
# zlib proper: every library file (the gz* ones are what minigzip and
# example's test_gzio use).
LIB="adler32 compress crc32 deflate gzclose gzlib gzread gzwrite infback
     inffast inflate inftrees trees uncompr zutil"
LIB_C=$(for f in $LIB; do printf '%s ' "$Z/$f.c"; done)
# -DZ_HAVE_UNISTD_H: zlib's ./configure sets it in zconf.h on any Unix; the
# unconfigured tree leaves gzlib.c, gzread.c, gzwrite.c without declarations
# of read, write, lseek and close. On wasm32 the implicit `int lseek(int,
# int, int)` does not match wasi-libc's (off_t is 64-bit), and wasm-ld links
# a stub that traps ("signature_mismatch:lseek") at the first gzopen. The
# same flag for gcc, so both builds compile the same C.
DEFS=-DZ_HAVE_UNISTD_H

# stale OUT SRC...: OUT is missing or older than a source or this script
stale() {
  o=$1
  shift
  [ -f "$o" ] || return 0
  for s in "$@" "$SCRIPT"; do
    [ "$s" -nt "$o" ] && return 0
  done
  return 1
}

built=true
for p in example minigzip; do
  for t in wasm native; do
    if stale "$OUT/$p.$t" $LIB_C "$Z"/*.h "$Z/test/$p.c"; then
      if [ $t = wasm ]; then cc="$CC --target=wasm32-wasi"; else cc=gcc; fi
      $cc -O2 $DEFS -I"$Z" $LIB_C "$Z/test/$p.c" -o "$OUT/$p.$t.tmp" &&
        mv "$OUT/$p.$t.tmp" "$OUT/$p.$t" || { bad "$p.$t (build)"; built=false; }
    fi
  done
done
if ! $built; then
  echo "programs: $pass passed, $fail failed"
  exit 1
fi

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# ---- packed executables (linux-x64), each mode whose stub is built ----
# The baked-in --dir lets the packed programs use files in their working
# directory, as `ferry run --dir .` does.
RUNNERS="interp aot tiered"
for m in interp tcc native; do
  packable $m || continue
  packed=true
  for p in example minigzip; do
    if ! "$FERRY" pack --stubs "$STUBS" --mode $m --dir .::. "$OUT/$p.wasm" \
         -o "$TMP/$p-pack-$m" 2>"$TMP/err"; then
      bad "pack $p --mode $m" "$TMP/err"
      packed=false
    fi
  done
  $packed && RUNNERS="$RUNNERS pack-$m"
done

# prog RUNNER NAME ARGS...: runs program NAME (example, minigzip) on RUNNER
# in the current directory, which it may use (--dir .). A hang is a failure
# (timeout's status 124), not a stuck test.
prog() {
  r=$1 p=$2
  shift 2
  case $r in
    interp) timeout 60 "$FERRY" run --dir . -- "$OUT/$p.wasm" "$@" ;;
    aot) timeout 60 "$FERRY" run --aot --dir . -- "$OUT/$p.wasm" "$@" ;;
    tiered) timeout 60 "$FERRY" run --tiered --dir . -- "$OUT/$p.wasm" "$@" ;;
    pack-*) timeout 60 "$TMP/$p-$r" "$@" ;;
  esac
}

# Error messages start with the program's name (argv[0]), which differs.
noprog() { sed 's/^[^: ]*: //' "$1"; }

# ---- inputs ----
mkdir -p "$TMP/in"
: > "$TMP/in/empty"
i=0
while [ $i -lt 100 ]; do
  echo "line $i: the quick brown fox jumps over the lazy dog"
  i=$((i + 1))
done > "$TMP/in/small"
# ~1.4 MB of mixed data: machine code, then C text.
{ head -c 1000000 "$FERRY"; cat "$Z"/*.c "$Z/zlib.h"; } > "$TMP/in/big"
INPUTS="empty small big"
# Default level, fastest, best, and the three strategies (filtered,
# Huffman only, run-length): each takes other paths in deflate and inflate.
FLAGS="- -1 -9 -f -h -r"
# flag F: F as minigzip's argument ("-" is none; unquoted $(flag F) is
# then no word at all)
flag() { [ "$1" = - ] || echo "$1"; }

# ---- expected results, from the native builds ----
E=$TMP/exp
mkdir -p "$E/ex" "$E/files"
(cd "$E/ex" && "$OUT/example.native" </dev/null >../ex.out 2>../ex.err); echo $? > "$E/ex.st"
if [ "$(cat "$E/ex.st")" != 0 ]; then bad "example.native exits $(cat "$E/ex.st")" "$E/ex.err"; fi
# compile flags = sizes of uInt, uLong, pointers, z_off_t: 32-bit on wasm32
sed 's/compile flags = 0x[0-9a-f]*/compile flags = X/' "$E/ex.out" > "$E/ex.norm"
for n in $INPUTS; do
  for f in $FLAGS; do
    "$OUT/minigzip.native" $(flag "$f") < "$TMP/in/$n" > "$E/$n$f.gz"
  done
done
# Corrupted: cut in half, a byte flipped in the middle of the deflate data,
# a wrong CRC in the trailer (all must fail), and not gzip at all (minigzip
# copies it through, exit 0).
sz=$(stat -c %s "$E/big-.gz")
head -c $((sz / 2)) "$E/big-.gz" > "$TMP/in/trunc.gz"
cp "$E/big-.gz" "$TMP/in/flip.gz"
printf '\377' | dd of="$TMP/in/flip.gz" bs=1 seek=$((sz / 2)) conv=notrunc 2>/dev/null
cp "$E/small-.gz" "$TMP/in/crc.gz"
sz=$(stat -c %s "$E/small-.gz")
printf '\0\0' | dd of="$TMP/in/crc.gz" bs=1 seek=$((sz - 8)) conv=notrunc 2>/dev/null
cp "$TMP/in/small" "$TMP/in/plain.gz"
CORRUPT="trunc flip crc plain"
for c in $CORRUPT; do
  "$OUT/minigzip.native" -d < "$TMP/in/$c.gz" > "$E/$c.out" 2>"$E/$c.err"
  echo $? > "$E/$c.st"
  noprog "$E/$c.err" > "$E/$c.errn"
done
for c in trunc flip crc; do
  [ "$(cat "$E/$c.st")" != 0 ] || bad "native minigzip -d accepts $c.gz"
done
# File names: `minigzip F` writes F.gz and removes F.
cp "$TMP/in/small" "$E/files/small.txt"
(cd "$E/files" && "$OUT/minigzip.native" small.txt </dev/null)
[ -f "$E/files/small.txt.gz" ] || bad "native minigzip small.txt wrote no small.txt.gz"

# ---- every runner against the native results ----
for r in $RUNNERS; do
  W=$TMP/$r
  mkdir -p "$W/ex" "$W/files"
  cd "$W" || exit 1

  # example: zlib's self tests; writes foo.gz in its working directory
  (cd ex && prog "$r" example </dev/null >../ex.out 2>../ex.err); st=$?
  sed 's/compile flags = 0x[0-9a-f]*/compile flags = X/' ex.out > ex.norm
  if [ $st -ne 0 ] || ! cmp -s ex.norm "$E/ex.norm" || ! cmp -s ex.err "$E/ex.err"; then
    bad "example on $r: exit $st, output differs from native" ex.err
    diff "$E/ex.norm" ex.norm | head -8 | sed 's/^/    /'
  elif [ "$r" != interp ] && ! cmp -s ex.out "$TMP/interp/ex.out"; then
    bad "example on $r: output differs from interp"
  elif ! cmp -s ex/foo.gz "$E/ex/foo.gz"; then
    bad "example on $r: foo.gz differs from native"
  else ok; fi

  # minigzip through stdin and stdout, then back
  for n in $INPUTS; do
    for f in $FLAGS; do
      a=$(flag "$f")
      prog "$r" minigzip $a < "$TMP/in/$n" > c.gz 2>err; st=$?
      if [ $st -ne 0 ] || ! cmp -s c.gz "$E/$n$f.gz"; then
        bad "minigzip${a:+ $a} < $n on $r: exit $st, compressed bytes differ from native" err
        continue
      fi
      prog "$r" minigzip -d < c.gz > d.out 2>err; st=$?
      if [ $st -ne 0 ] || ! cmp -s d.out "$TMP/in/$n"; then
        bad "minigzip -d on $n$f.gz on $r: exit $st, output differs from $n" err
        continue
      fi
      ok
    done
  done

  # pipes rather than files on stdin and stdout (short reads and writes);
  # a wrong status shows as wrong bytes
  cat "$TMP/in/big" | prog "$r" minigzip 2>err | cat > c.gz
  cat c.gz | prog "$r" minigzip -d 2>>err | cat > d.out
  if cmp -s c.gz "$E/big-.gz" && cmp -s d.out "$TMP/in/big"; then ok
  else bad "minigzip through pipes on $r" err; fi

  # corrupted input: same exit status, output and message as native
  for c in $CORRUPT; do
    prog "$r" minigzip -d < "$TMP/in/$c.gz" > c.out 2>c.err; st=$?
    noprog c.err > c.errn
    if [ "$st" != "$(cat "$E/$c.st")" ] || ! cmp -s c.out "$E/$c.out" || ! cmp -s c.errn "$E/$c.errn"; then
      bad "minigzip -d < $c.gz on $r: exit $st (native $(cat "$E/$c.st")), output or message differs" c.err
    else ok; fi
  done

  # file names: compress small.txt in place and back
  cp "$TMP/in/small" files/small.txt
  (cd files && prog "$r" minigzip small.txt) </dev/null >out 2>err; st=$?
  if [ $st -ne 0 ] || [ -e files/small.txt ] || ! cmp -s files/small.txt.gz "$E/files/small.txt.gz"; then
    bad "minigzip small.txt on $r: exit $st, small.txt.gz differs from native or small.txt kept" err
  else
    (cd files && prog "$r" minigzip -d small.txt.gz) </dev/null >out 2>err; st=$?
    if [ $st -ne 0 ] || [ -e files/small.txt.gz ] || ! cmp -s files/small.txt "$TMP/in/small"; then
      bad "minigzip -d small.txt.gz on $r: exit $st, small.txt differs or small.txt.gz kept" err
    else ok; fi
  fi
done

echo "programs: $pass passed, $fail failed"
[ $fail -eq 0 ]
