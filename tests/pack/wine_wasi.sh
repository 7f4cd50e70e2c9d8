#!/bin/sh
# The WASI test programs (tests/wasi/*.c, built to build/wasi/*.wasm by
# tests/wasi/run.sh) run twice per case — by the Linux ferry and by the
# Windows ferry.exe under wine — in identical fresh directories; exit
# status, stdout and stderr must match, and for the sandbox cases nothing
# outside the preopen may change. Known wine differences (see
# runtime/os_fs_win32.c) are listed in KNOWN_DIFF and reported, not failed.
# Usage: tests/pack/wine_wasi.sh LINUX_FERRY WINDOWS_FERRY_EXE
# Prints "wine-wasi: N same, N known differences, N failed".
set -u
LFERRY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
WFERRY=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
ROOT=$(pwd)
WASM=$ROOT/build/wasi
export WINEDEBUG=-all
export WINEPREFIX=${WINEPREFIX:-$ROOT/build/wineprefix}
# wine 8: host symlinks are transparent and CreateSymbolicLinkW creates
# nothing; file times keep 100 ns; a host pipe cannot be peeked (poll);
# a handle keeps the path it was opened by when another process renames
# it, so the moved directory of "renamed" is refused (ENOENT) instead of
# used.
KNOWN_DIFF=${KNOWN_DIFF:-"files times sandbox sandbox2 poll renamed"}

if [ ! -d "$WASM" ] || [ -z "$(ls "$WASM"/*.wasm 2>/dev/null)" ]; then
  sh "$ROOT/tests/wasi/run.sh" "$LFERRY" >/dev/null 2>&1
fi
command -v wine >/dev/null || { echo "wine-wasi: wine not installed, skipped"; exit 0; }
wine cmd /c exit 0 >/dev/null 2>&1 # creates the prefix once, quietly

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
same=0 known=0 fail=0

# Directory layouts the cases need, made fresh in $1.
setup() {
  rm -rf "$1"
  mkdir -p "$1/root" "$1/outside"
  echo secret > "$1/outside/secret.txt"
  touch -d '2001-01-01' "$1/outside" "$1/outside/secret.txt"
}
setup_sandbox() {
  setup "$1"
  R=$1/root
  echo inside > "$R/inside.txt"
  mkdir "$R/sub"
  ln -s ../outside/secret.txt "$R/out_rel"
  ln -s ../outside "$R/out_dir"
  ln -s "$1/outside/secret.txt" "$R/out_abs"
  ln -s loop2 "$R/loop1"; ln -s loop1 "$R/loop2"; ln -s self "$R/self"
  ln -s chain2 "$R/chain1"; ln -s sub/../chain3 "$R/chain2"
  ln -s ../outside/secret.txt "$R/chain3"
  ln -s sub/../inside.txt "$R/ok_link"
  ln -s .. "$R/sub/up"; ln -s ../.. "$R/sub/upup"
  touch -d '2001-01-01' "$1/outside"
}
snapshot() {
  (cd "$1" && find . -printf '%p %y %s %T@\n' | sort &&
   find . -type f -exec md5sum {} + | sort)
}

# run_case NAME SETUP STDIN CMD...: CMD runs in DIR/root with $F standing
# for the ferry command; results land in $TMP/NAME.{linux,wine}.*
run_one() {
  side=$1 name=$2 setupfn=$3 input=$4
  shift 4
  d=$TMP/$name.$side.d
  $setupfn "$d"
  snapshot "$d/outside" > "$TMP/$name.$side.before"
  if [ "$side" = linux ]; then F=$LFERRY; else F="wine $WFERRY"; fi
  (cd "$d/root" && eval "$*") < "$input" > "$TMP/$name.$side.out" 2> "$TMP/$name.$side.err"
  echo $? > "$TMP/$name.$side.status"
  snapshot "$d/outside" > "$TMP/$name.$side.after"
}

check() {
  name=$1
  ok=true
  for k in status out err; do
    cmp -s "$TMP/$name.linux.$k" "$TMP/$name.wine.$k" || ok=false
  done
  # the sandbox never lets a guest touch outside/, on either host (the
  # renamed case moves a directory there itself)
  [ "$name" = renamed ] ||
  cmp -s "$TMP/$name.wine.before" "$TMP/$name.wine.after" || {
    echo "wine-wasi: FAIL $name changed files outside the preopen"; ok=bad; }
  if [ $ok = true ]; then same=$((same + 1)); return; fi
  case " $KNOWN_DIFF " in
  *" $name "*) if [ $ok != bad ]; then
      known=$((known + 1))
      echo "wine-wasi: known difference in $name:"
      diff "$TMP/$name.linux.err" "$TMP/$name.wine.err" | sed 's/^/    /' | head -20
      return
    fi ;;
  esac
  fail=$((fail + 1))
  echo "wine-wasi: FAIL $name (status linux $(cat "$TMP/$name.linux.status"), wine $(cat "$TMP/$name.wine.status"))"
  for k in out err; do
    cmp -s "$TMP/$name.linux.$k" "$TMP/$name.wine.$k" ||
      diff "$TMP/$name.linux.$k" "$TMP/$name.wine.$k" | sed 's/^/    /' | head -20
  done
}

both() {
  run_one linux "$@"
  run_one wine "$@"
  check "$1"
}

for n in files readdir times; do
  both $n setup /dev/null '$F run --dir . "$WASM/'$n'.wasm"'
done
both clocks setup /dev/null '$F run "$WASM/clocks.wasm"'
both args_env setup /dev/null \
  'env FERRY_LEAK=1 $F run --env FOO=bar --env EMPTY= -- "$WASM/args_env.wasm" "a b" c ""'
both exit_code setup /dev/null '$F run "$WASM/exit_code.wasm" 42 2>&1'
both exit_code_proc setup /dev/null '$F run "$WASM/exit_code.wasm" 3 proc_exit'
both exit_code_0 setup /dev/null '$F run "$WASM/exit_code.wasm" 0'
head -c 200000 /dev/urandom > "$TMP/in.bin"
both stdin_echo setup "$TMP/in.bin" '$F run "$WASM/stdin_echo.wasm"'
both poll setup /dev/null \
  '(sleep 0.3; echo data) | $F run --dir . "$WASM/poll.wasm"'
both sandbox setup_sandbox /dev/null '$F run --dir . "$WASM/sandbox.wasm"'
both sandbox2 setup_sandbox /dev/null \
  'cd .. && $F run --dir "root::." "$WASM/sandbox.wasm" >/dev/null'
# a directory moved out of the preopen while the guest holds it
setup_renamed() {
  setup "$1"
  mkdir -p "$1/root/box/inner"
  echo inner > "$1/root/box/inner/file.txt"
  ln -s .. "$1/root/box/inner/up"
}
both renamed setup_renamed /dev/null \
  '$F run --dir . "$WASM/renamed.wasm" & pid=$!; i=0;
   while [ ! -f ready ] && [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done;
   mv box/inner ../outside/inner; touch -d 2001-01-01 ../outside; touch go; wait $pid'
both missing_dir setup /dev/null '$F run --dir ./nonexistent "$WASM/clocks.wasm" 2>/dev/null'

echo "wine-wasi: $same same, $known known differences, $fail failed"
[ $fail -eq 0 ]
