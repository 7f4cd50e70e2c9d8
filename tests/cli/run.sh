#!/bin/sh
# Command-line tests of `ferry`: exit codes and error messages a user sees.
# usage: run.sh FERRY [RUNNER...]: with a RUNNER (e.g. wine), each command
# runs as `RUNNER... FERRY ARGS`: the same tests for the Windows build.
# CLI_LABEL names the run in the summary line (default "cli").
set -u
label=${CLI_LABEL:-cli}
ferry_exe=$1
shift
runner=$*
ferry() { $runner "$ferry_exe" "$@"; }
tmp=${TMPDIR:-/tmp}/ferry-cli.$$
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0

# check NAME EXPECTED_STATUS PATTERN CMD...: runs CMD, requires its exit
# status and that its combined output matches the grep pattern.
check() {
  name=$1 want=$2 pattern=$3
  shift 3
  "$@" >"$tmp/out" 2>&1
  got=$?
  if [ "$got" -eq "$want" ] && { [ -z "$pattern" ] || grep -q -e "$pattern" "$tmp/out"; }; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "$label: FAIL $name: status $got (want $want), output:"
    sed 's/^/    /' "$tmp/out" | head -10
  fi
}

bin() { printf "$1" >"$tmp/$2"; }

check "no args shows usage" 2 "usage: ferry" ferry
check "help" 0 "commands:" ferry --help
check "unknown command" 2 "unknown command 'frobnicate'" ferry frobnicate
for cmd in run aot validate inspect wat2wasm wast pack bench; do
  check "$cmd --help" 0 "usage: ferry $cmd" ferry $cmd --help
  check "help $cmd" 0 "usage: ferry $cmd" ferry help $cmd
done
check "bad flag" 2 "unknown option: --frob" ferry inspect --frob x.wasm
check "missing file" 1 "nofile.wasm: cannot open: no such file or directory" ferry validate "$tmp/nofile.wasm"

bin '\0asm\1\0\0\0' empty.wasm
check "empty module is valid" 0 "empty.wasm: valid" ferry validate "$tmp/empty.wasm"
bin '\0asm\1\0\0' short.wasm
check "truncated header" 1 "short.wasm:0x4: unexpected end" ferry validate "$tmp/short.wasm"
bin '\0asm\2\0\0\0' version.wasm
check "bad version" 1 "version.wasm:0x4: unknown binary version" ferry validate "$tmp/version.wasm"
# A function section declaring 2^32-1 functions in a 14-byte file: an error,
# not an attempt to allocate them.
bin '\0asm\1\0\0\0\3\5\377\377\377\377\17' huge.wasm
check "huge count is bounded" 1 "huge.wasm:0xa: length out of bounds" ferry validate "$tmp/huge.wasm"
# (func (result i32) i64.const 0): decodes, but does not validate.
bin '\0asm\1\0\0\0\1\5\1\140\0\1\177\3\2\1\0\12\6\1\4\0\102\0\13' invalid.wasm
check "type mismatch" 1 "invalid.wasm:0x[0-9a-f]*: type mismatch" ferry validate "$tmp/invalid.wasm"
# Two exports named "a": the error names the second entry's offset.
bin '\0asm\1\0\0\0\1\4\1\140\0\0\3\2\1\0\7\11\2\1a\0\0\1a\0\0\12\4\1\2\0\13' dupexp.wasm
check "export error offset" 1 "dupexp.wasm:0x19: duplicate export name" ferry validate "$tmp/dupexp.wasm"

check "sample validates" 0 "add.wat: valid" ferry validate samples/add.wat
check "inspect shows exports" 0 '"fact" -> 1 $fact (i64) -> (i64)' ferry inspect samples/add.wat
check "wat2wasm" 0 "" ferry wat2wasm samples/add.wat -o "$tmp/add.wasm"
check "wat2wasm output validates" 0 "add.wasm: valid" ferry validate "$tmp/add.wasm"
check "dump is encoding-independent" 0 "i64.mul" ferry inspect --dump "$tmp/add.wasm"
ferry inspect --dump samples/add.wat >"$tmp/a" 2>&1
ferry inspect --dump "$tmp/add.wasm" >"$tmp/b" 2>&1
check "text and binary dump alike" 0 "" cmp "$tmp/a" "$tmp/b"
printf '(module (func (result i32)\n  i32.const 1\n  i32.frob))\n' >"$tmp/bad.wat"
check "text error has line:col" 1 "bad.wat:3:3: unknown operator" ferry validate "$tmp/bad.wat"
check "wat2wasm needs -o" 2 "no output given" ferry wat2wasm samples/add.wat
# Errors found after encoding a text module point at its text.
printf '(module\n  (func (result i32)\n    (i32.add (i32.const 1) (i64.const 2))))\n' >"$tmp/mismatch.wat"
check "validation error has line:col" 1 "mismatch.wat:3:6: type mismatch" ferry validate "$tmp/mismatch.wat"
check "wat2wasm error has line:col" 1 "mismatch.wat:3:6: type mismatch" ferry wat2wasm "$tmp/mismatch.wat" -o "$tmp/m.wasm"
printf '(module\n  (memory 1)\n  (export "m" (memory 0))\n  (export "m" (func 0))\n  (func))\n' >"$tmp/dup.wat"
check "field error has line:col" 1 "dup.wat:4:3: duplicate export name" ferry validate "$tmp/dup.wat"

# A stack smaller than the AOT engine's budget (ulimit -s 1024): deep
# recursion traps instead of crashing. Not under wine (no ulimit there).
if [ -z "$runner" ]; then
  printf '(module (func $f (export "f") (param i32) (result i32)\n  (if (result i32) (local.get 0)\n    (then (i32.add (i32.const 1) (call $f (i32.sub (local.get 0) (i32.const 1)))))\n    (else (i32.const 0)))))\n' >"$tmp/deep.wat"
  for e in "" --aot --tiered; do
    check "deep recursion, small stack ${e:-interp}" 134 "trap: call stack exhausted" \
      sh -c 'ulimit -s 1024 && "$@"' sh "$ferry_exe" run $e --invoke f "$tmp/deep.wat" 100000000
  done
fi

# File names outside ASCII: UTF-8 on Linux; on Windows (under wine) they
# must reach the file system as UTF-16, not through the ANSI code page.
cp samples/add.wat "$tmp/grüße.wat"
check "non-ASCII name: wat2wasm" 0 "" ferry wat2wasm "$tmp/grüße.wat" -o "$tmp/模块.wasm"
check "non-ASCII name: validate" 0 "模块.wasm: valid" ferry validate "$tmp/模块.wasm"
check "non-ASCII name: run" 0 "^120$" ferry run --invoke fact "$tmp/模块.wasm" 5
check "non-ASCII name: aot" 0 "" ferry aot "$tmp/模块.wasm" -o "$tmp/émis.c"
check "non-ASCII name: aot output" 0 "" grep -q aotf_ "$tmp/émis.c"
check "non-ASCII name: missing" 1 "nö.wasm: cannot open: no such file or directory" ferry validate "$tmp/nö.wasm"

echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
