# Check bookkeeping for test/run.sh: one line per check, a summary line.
# shellcheck shell=bash
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok   - $*"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $*"; }
# check DESC CMD...: pass when CMD succeeds
check() {
  local d=$1
  shift
  if "$@"; then pass "$d"; else fail "$d"; fi
}
# wait_for SECONDS CMD...: poll CMD until it succeeds or time runs out
wait_for() {
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$end" ] || return 1
    sleep 0.3
  done
}
# has FILE TEXT / lacks FILE TEXT: fixed-string search
has() { grep -qF -- "$2" "$1"; }
lacks() { ! grep -qF -- "$2" "$1"; }
summary() {
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" = 0 ]
}
