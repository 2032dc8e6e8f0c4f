#!/usr/bin/env bash
# Browser test entry point: rewrites each fixture client with csprefix, then
# has headless Chromium compare it served at "/" and under an OnDemand-style
# /rnode/<host>/<port>/ proxy (Apache), and proves the checks fail on the
# unmodified client. Screenshots and report.json go to target/e2e/.
#
#   e2e/run.sh [--must-fail-only] [FIXTURE_DIR | CLIENT_DIR]...
#
# FIXTURE_DIR has dist/client and fixture.json (default: every such folder in
# fixtures/, plus the real-input client of `make real-input` if it is there). CLIENT_DIR is a built client folder (index.html at its top),
# tested as it is at "/" and under the prefix, with the steps of the nearest
# fixture.json at or above it. --must-fail-only skips the rewriter and runs
# only the reference and the run that must fail (checks the harness itself).
#
# Environment: CSPREFIX (rewriter binary), E2E_OUT (report folder),
# E2E_TIMEOUT (seconds for the whole run, default 1200).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"

bin="${CSPREFIX:-$root/target/release/csprefix}"
out="${E2E_OUT:-$root/target/e2e}"
limit="${E2E_TIMEOUT:-1200}"
must_fail_only=0
targets=()

usage() {
  sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
}

while [ "$#" -gt 0 ]; do
  case "$1" in
    --must-fail-only) must_fail_only=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "e2e: unknown option: $1" >&2; usage >&2; exit 2 ;;
    *) targets+=("${1%/}") ;;
  esac
  shift
done

if [ "${#targets[@]}" -eq 0 ]; then
  for d in fixtures/*/; do
    d="${d%/}"
    if [ -d "$d/dist/client" ] && [ -f "$d/fixture.json" ]; then targets+=("$d"); fi
  done
  if [ "${#targets[@]}" -eq 0 ]; then
    echo "e2e: no fixtures/*/ with dist/client and fixture.json" >&2
    exit 2
  fi
  # The real public client that `make real-input` rewrites, when present.
  real="target/real-input/zenml-dashboard.rewritten"
  if [ -f "$real/index.html" ]; then targets+=("$real"); fi
fi

for tool in node npm /usr/bin/chromium /usr/sbin/apache2; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "e2e: $tool is missing (see e2e/apt-packages.txt; make setup)" >&2
    exit 2
  fi
done
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "e2e: node $(node --version) is too old; playwright-core needs >= 20" >&2
  exit 2
fi

if [ ! -d "$here/node_modules/playwright-core" ] || [ ! -d "$here/node_modules/ws" ]; then
  echo "e2e: installing npm packages (npm ci)" >&2
  (cd "$here" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

work="$(mktemp -d "${TMPDIR:-/tmp}/csprefix-e2e.XXXXXX")"
export E2E_PIDFILE="$work/pids"
: >"$E2E_PIDFILE"
driver_pid=""

# Stops the driver, then anything it started that is still alive, by pid.
# shellcheck disable=SC2317  # reached through the trap
cleanup() {
  local pid _name
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  while read -r pid _name; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  done <"$E2E_PIDFILE"
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The steps file for a client folder: the nearest fixture.json at or above it.
steps_for() {
  local d
  d="$(cd "$1" && pwd)"
  for _ in 1 2 3 4; do
    if [ -f "$d/fixture.json" ]; then echo "$d/fixture.json"; return; fi
    d="$(dirname "$d")"
  done
}

# The judging rules first: they are quick and need no browser.
node --test "$here/lib/" >"$work/unit.log" 2>&1 || {
  cat "$work/unit.log" >&2
  echo "e2e: FAIL: the unit tests of the checks failed" >&2
  exit 1
}
echo "e2e checks: PASS | $(grep -E '^# (pass|fail) ' "$work/unit.log" | tr '\n' ' ')" >&2

case "$(cd "$(dirname "$out")" && pwd)/$(basename "$out")" in
  / | "$root" | "$HOME") echo "e2e: refusing to use $out as the report folder" >&2; exit 2 ;;
esac
rm -rf "$out"
mkdir -p "$out"
status=0
args=()
for t in "${targets[@]}"; do
  name="$(basename "$t")"
  if [ -d "$t/dist/client" ] && [ -f "$t/fixture.json" ]; then
    args+=(--name "$name" --original "$t/dist/client" --steps "$t/fixture.json")
    if [ "$must_fail_only" -eq 1 ]; then continue; fi
    if [ ! -x "$bin" ]; then
      echo "e2e: $bin is missing: run make build" >&2
      exit 2
    fi
    rewritten="$work/rewritten/$name"
    mkdir -p "$work/rewritten"
    mkdir -p "$out/$name"
    log="$out/$name/rewrite.log"
    rc=0
    "$bin" rewrite "$t/dist/client" -o "$rewritten" 2>"$log" || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "e2e $name: FAIL: csprefix rewrite exited $rc; the first lines of $log:" >&2
      head -n 8 "$log" | sed 's/^/  /' >&2
      status=1
    else
      echo "e2e $name: csprefix: $(tail -n 1 "$log")" >&2
    fi
    if [ -f "$rewritten/index.html" ]; then args+=(--rewritten "$rewritten"); fi
  elif [ -f "$t/index.html" ]; then
    args+=(--name "$name" --client "$t")
    steps="$(steps_for "$t")"
    if [ -n "$steps" ]; then args+=(--steps "$steps"); fi
  else
    echo "e2e: $t is neither a fixture (dist/client + fixture.json) nor a client folder (index.html)" >&2
    exit 2
  fi
done

if [ "$must_fail_only" -eq 1 ]; then
  echo "e2e: --must-fail-only: the rewriter is not run; this checks the harness only" >&2
fi

extra=()
if [ "$must_fail_only" -eq 1 ]; then extra+=(--must-fail-only); fi
rc=0
timeout --signal=TERM --kill-after=20 "$limit" \
  node "$here/lib/main.mjs" --out "$out" --work "$work" --deadline "$((limit - 15))" \
  "${extra[@]}" "${args[@]}" &
driver_pid=$!
wait "$driver_pid" || rc=$?
driver_pid=""
if [ "$rc" -eq 124 ]; then echo "e2e: FAIL: time limit of $limit s reached" >&2; fi
if [ "$rc" -ne 0 ]; then status="$rc"; fi
exit "$status"
