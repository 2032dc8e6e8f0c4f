#!/usr/bin/env bash
# The image's own test (%test of cryosparc.def): the baked web client passes
# `csprefix check`, the manifest kept in the image is the one the labels
# name, CryoSPARC's commands are in place, no license ID is baked in, and the
# bind points the Batch Connect app uses exist. Prints one line per check and
# a summary; exits 1 if any check fails. The tests run it on a temporary root.
#
# usage: image-test.sh [--root /opt/cryosparc] [--meta ROOT/csprefix]
#          [--bin META/bin/csprefix]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

root=/opt/cryosparc meta='' bin=''
while [ $# -gt 0 ]; do
  case $1 in
    --root) root=${2:-}; shift 2 ;;
    --meta) meta=${2:-}; shift 2 ;;
    --bin) bin=${2:-}; shift 2 ;;
    *) cs_die 2 "unknown argument: $1 (usage: image-test.sh [--root DIR] [--meta DIR] [--bin PATH])" ;;
  esac
done
meta=${meta:-$root/csprefix}
bin=${bin:-$meta/bin/csprefix}

passed=0 failed=0
pass() { printf 'ok - %s\n' "$*"; passed=$((passed + 1)); }
fail() { printf 'not ok - %s\n' "$*"; failed=$((failed + 1)); }

client=''
if cs_master_dir "$root" && cs_find_client "$CS_MASTER"; then
  client=$CS_CLIENT
  pass "web client found ($CS_LAYOUT layout)"
else
  fail "no single web client below $root/cryosparc_master"
fi

if [ -n "$client" ] && [ -x "$bin" ]; then
  rc=0
  out=$("$bin" check "$client" 2>&1) || rc=$?
  case $rc in
    0) pass "csprefix check finds nothing left unhandled" ;;
    1) fail "csprefix check finds URLs left unhandled in the baked client:" ;;
    *) fail "csprefix check failed on the baked client (exit $rc):" ;;
  esac
  if [ "$rc" -ne 0 ]; then printf '%s\n' "$out" | head -n 40 | sed 's/^/    /'; fi
else
  fail "cannot run csprefix check (binary: $bin)"
fi

if [ -f "$meta/$CS_MANIFEST" ] && [ -f "$meta/labels" ]; then
  want=$(sed -n 's/^csprefix\.manifest\.sha256 //p' "$meta/labels")
  have=$(cs_sha256 "$meta/$CS_MANIFEST")
  if [ -n "$want" ] && [ "$want" = "$have" ]; then
    pass "manifest matches its label (sha256 $have)"
  else
    fail "manifest sha256 $have, label says '${want}'"
  fi
else
  fail "manifest or labels missing in $meta"
fi

for cmd in "$root/cryosparc_master/bin/cryosparcm" "$root/cryosparc_worker/bin/cryosparcw"; do
  if [ -x "$cmd" ]; then pass "${cmd#"$root"/} is installed"; else fail "${cmd#"$root"/} is missing"; fi
done

baked=''
for f in "$root/cryosparc_master/config.sh" "$root/cryosparc_worker/config.sh"; do
  if [ -f "$f" ] && grep -E '^export[[:space:]]+CRYOSPARC_LICENSE_ID=' "$f" |
    grep -vq "$CS_PLACEHOLDER_LICENSE"; then
    baked="$baked ${f#"$root"/}"
  fi
done
if [ -z "$baked" ]; then pass "no license ID baked in"; else fail "a license ID is baked into:$baked"; fi

if [ -d "$root/cryosparc_master/run" ] && [ -d "$root/database" ]; then
  pass "bind points cryosparc_master/run and database exist"
else
  fail "bind point cryosparc_master/run or database missing"
fi

if [ "$failed" -eq 0 ]; then
  printf 'image test: all %d checks passed\n' "$passed"
else
  printf 'image test: %d of %d checks failed\n' "$failed" $((passed + failed))
  exit 1
fi
