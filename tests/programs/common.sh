# Shared by tests/programs/run.sh and langs.sh (sourced): the pass/fail
# count and the packed modes' stubs. The sourcing script sets LABEL (its
# summary's name) and STUBS.
pass=0
fail=0

ok() { pass=$((pass + 1)); }
# bad WHAT [FILE]: a failure, with the first lines of FILE (e.g. stderr)
bad() {
  fail=$((fail + 1))
  echo "$LABEL: FAIL $1"
  [ $# -gt 1 ] && [ -s "$2" ] && sed 's/^/    /' "$2" | head -8
}

# packable MODE: whether linux-x64 programs can be packed in --mode MODE
# here (its stub, or for native its tool chain, is built); says so if not.
packable() {
  case $1 in
    interp) have=$STUBS/stub-linux-x64 ;;
    tcc) have=$STUBS/stub-linux-x64-tcc ;;
    native) have=$STUBS/native-linux-x64/cc ;;
  esac
  [ -f "$have" ] && return 0
  echo "$LABEL: $have missing, --mode $1 skipped"
  return 1
}
