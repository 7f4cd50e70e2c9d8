#!/bin/sh
# WASI tests: builds tests/wasi/*.c to build/wasi/*.wasm (clang-14
# --target=wasm32-wasi, Debian's wasi-libc) and runs each under
# `FERRY run` in a fresh temporary directory, checking exit status, output
# and, for the sandbox tests, that nothing outside the preopen changed.
# Usage: tests/wasi/run.sh FERRY   Prints "wasi: N passed, N failed".
set -u
FERRY=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$(dirname "$0")" && pwd)
OUT=$(pwd)/build/wasi
CC=${WASI_CC:-clang-14}
mkdir -p "$OUT"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "wasi: FAIL $1"; }

for c in "$SRC"/*.c; do
  n=$(basename "$c" .c)
  if [ ! -f "$OUT/$n.wasm" ] || [ "$c" -nt "$OUT/$n.wasm" ] || [ "$SRC/t.h" -nt "$OUT/$n.wasm" ]; then
    if ! $CC --target=wasm32-wasi -O2 -Wall -Werror "$c" -o "$OUT/$n.wasm"; then
      bad "$n (build)"
    fi
  fi
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# run NAME [ferry options...] -- [args]: in $TMP/NAME/root with --dir .
fresh() {
  rm -rf "$TMP/$1"
  mkdir -p "$TMP/$1/root" "$TMP/$1/outside"
  echo secret > "$TMP/$1/outside/secret.txt"
}

# A snapshot of everything outside the preopen: names, sizes, mtimes, data.
snapshot() {
  (cd "$1" && find . -printf '%p %y %s %T@\n' | sort && find . -type f -exec md5sum {} + | sort)
}

# Simple programs: exit 0 means every check passed.
for n in files readdir times; do
  fresh "$n"
  if (cd "$TMP/$n/root" && "$FERRY" run --dir . "$OUT/$n.wasm"); then ok; else bad "$n"; fi
done

n=clocks
if "$FERRY" run "$OUT/$n.wasm"; then ok; else bad $n; fi

n=args_env
if env FERRY_LEAK=1 "$FERRY" run --env FOO=bar --env EMPTY= -- "$OUT/$n.wasm" "a b" c ''; then
  ok; else bad $n; fi

# exit codes, and stdout/stderr interleaved in the order written
n=exit_code
got=$("$FERRY" run "$OUT/$n.wasm" 42 2>&1); st=$?
if [ $st -eq 42 ] && [ "$got" = "$(printf 'out1\nerr2\nout3')" ]; then ok; else bad "$n 42 ($st: $got)"; fi
"$FERRY" run "$OUT/$n.wasm" 3 proc_exit >/dev/null 2>&1; st=$?
if [ $st -eq 3 ]; then ok; else bad "$n proc_exit ($st)"; fi
"$FERRY" run "$OUT/$n.wasm" 0 >/dev/null 2>&1; st=$?
if [ $st -eq 0 ]; then ok; else bad "$n 0 ($st)"; fi

# stdin piped in, copied to stdout unchanged (200 KB, binary)
n=stdin_echo
head -c 200000 /dev/urandom > "$TMP/in.bin"
if "$FERRY" run "$OUT/$n.wasm" < "$TMP/in.bin" > "$TMP/out.bin" 2>"$TMP/err.txt" &&
   cmp -s "$TMP/in.bin" "$TMP/out.bin" && grep -q '^bytes 200000 ' "$TMP/err.txt"; then
  ok; else bad "$n"; cat "$TMP/err.txt"; fi

# poll: stdin gets data only after 300 ms
n=poll
fresh $n
if (sleep 0.3; echo data) | (cd "$TMP/$n/root" && "$FERRY" run --dir . "$OUT/$n.wasm"); then
  ok; else bad $n; fi

# sandbox escapes
n=sandbox
fresh $n
R=$TMP/$n/root
echo inside > "$R/inside.txt"
mkdir "$R/sub"
ln -s ../outside/secret.txt "$R/out_rel"
ln -s ../outside "$R/out_dir"
ln -s "$TMP/$n/outside/secret.txt" "$R/out_abs"
ln -s loop2 "$R/loop1"; ln -s loop1 "$R/loop2"; ln -s self "$R/self"
ln -s chain2 "$R/chain1"; ln -s sub/../chain3 "$R/chain2"
ln -s ../outside/secret.txt "$R/chain3"
ln -s sub/../inside.txt "$R/ok_link"
ln -s .. "$R/sub/up"; ln -s ../.. "$R/sub/upup"
snapshot "$TMP/$n/outside" > "$TMP/before.txt"
touch -d '2001-01-01' "$TMP/$n/outside" "$TMP/$n/outside/secret.txt"
snapshot "$TMP/$n/outside" > "$TMP/before.txt"
if (cd "$R" && "$FERRY" run --dir . "$OUT/$n.wasm"); then ok; else bad $n; fi
snapshot "$TMP/$n/outside" > "$TMP/after.txt"
if cmp -s "$TMP/before.txt" "$TMP/after.txt" && [ "$(ls "$TMP/$n")" = "$(printf 'outside\nroot')" ]
then ok; else bad "$n: files outside the preopen changed"; diff "$TMP/before.txt" "$TMP/after.txt"; fi

# the same program with the preopen under another guest name
fresh sandbox2
if (cd "$TMP/sandbox2" && "$FERRY" run --dir "$R::." "$OUT/sandbox.wasm" >/dev/null 2>&1); then
  ok; else bad "sandbox with --dir HOST::GUEST"; fi

# a directory renamed (moved out of the preopen) while the guest holds it
n=renamed
fresh $n
R=$TMP/$n/root
mkdir -p "$R/box/inner"
echo inner > "$R/box/inner/file.txt"
ln -s .. "$R/box/inner/up"
(cd "$R" && "$FERRY" run --dir . "$OUT/$n.wasm") &
pid=$!
i=0
while [ ! -f "$R/ready" ] && [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done
mv "$R/box/inner" "$TMP/$n/outside/inner"
snapshot "$TMP/$n/outside" > "$TMP/before.txt"
touch "$R/go"
if wait $pid; then ok; else bad $n; fi
snapshot "$TMP/$n/outside" > "$TMP/after.txt"
if cmp -s "$TMP/before.txt" "$TMP/after.txt"; then ok; else bad "$n: outside changed"; fi

# CLI: a missing --dir is an error before the program starts
if "$FERRY" run --dir "$TMP/nonexistent" "$OUT/clocks.wasm" 2>/dev/null; then
  bad "--dir missing accepted"; else ok; fi

# sockets: the guest accepts on a preopened listener (--tcplisten) and
# echoes one line upper-cased; python3 is the client.
n=sock_echo
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$FERRY" run --tcplisten "127.0.0.1:$port" "$OUT/$n.wasm" & pid=$!
got=$(python3 - "$port" <<'PY'
import socket, sys, time
for _ in range(200):
    try:
        s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
        break
    except OSError:
        time.sleep(0.05)
else:
    sys.exit("no listener")
s.sendall(b"ping\n")
data = b""
while True:
    d = s.recv(64)
    if not d:
        break
    data += d
print(data.decode(), end="")
PY
)
wait $pid; st=$?
if [ $st -eq 0 ] && [ "$got" = "PING" ]; then ok; else bad "$n ($st: $got)"; fi

echo "wasi: $pass passed, $fail failed"
[ $fail -eq 0 ]
